-- Monthly user masks are written by the hundred thousand per usage import; the index on
-- (source, month) doubled the cost of each write, and the primary key, which starts with the
-- source, serves the queries that clear a month's days well enough.
DROP INDEX usage_monthly_users_month;
