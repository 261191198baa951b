-- Chargeback to solutions, and license reports kept by date.
--
-- A statement line of a rule whose targets are solutions names the solution beside its
-- business unit (the line's target); other lines leave it empty.
ALTER TABLE statement_lines ADD COLUMN solution TEXT;

-- License assignments were one snapshot per source, replaced by each report, so a run of a
-- past period was charged today's licenses. Each report now keeps its own assignments under
-- its date (as_of: the report's refresh date, or the day it was imported), and a run reads
-- those in force in its period. Assignments already imported take the date their import
-- recorded (its last day, else the day it finished).
CREATE TABLE license_assignments_dated (
    source           TEXT NOT NULL,
    as_of            TEXT NOT NULL,
    user_key         TEXT NOT NULL,
    product          TEXT NOT NULL,
    last_activity_on TEXT,
    import_id        BIGINT NOT NULL REFERENCES imports (id),
    PRIMARY KEY (source, as_of, user_key, product)
);
INSERT INTO license_assignments_dated
    (source, as_of, user_key, product, last_activity_on, import_id)
SELECT a.source, COALESCE(i.last_day, SUBSTR(i.finished_at, 1, 10)), a.user_key, a.product,
       a.last_activity_on, a.import_id
FROM license_assignments a JOIN imports i ON i.id = a.import_id;
DROP TABLE license_assignments;
ALTER TABLE license_assignments_dated RENAME TO license_assignments;
