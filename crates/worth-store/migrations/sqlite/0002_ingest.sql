-- Imports and what they leave behind: the record of each imported file, daily usage and run
-- rollups, monthly distinct (app, pseudonymous user) pairs, cost facts, license assignments
-- and mapped records. Raw telemetry is never stored. Dates are ISO 8601 text, instants RFC 3339
-- text in UTC, money a decimal string with its currency, as in 0001.

-- One row per imported file: its identity (kind and content hash) and its counts.
CREATE TABLE imports (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,
    source         TEXT NOT NULL,
    file_name      TEXT NOT NULL,
    content_hash   TEXT NOT NULL,
    rows_read      INTEGER NOT NULL,
    rows_imported  INTEGER NOT NULL,
    rows_rejected  INTEGER NOT NULL,
    rows_duplicate INTEGER NOT NULL,
    first_day      TEXT,
    last_day       TEXT,
    rejects_file   TEXT,
    started_at     TEXT NOT NULL,
    finished_at    TEXT NOT NULL,
    actor          TEXT NOT NULL
);
CREATE INDEX imports_content ON imports (kind, content_hash);

-- Which import supplied each day of usage of a source: a later file covering the day replaces
-- the day's rows.
CREATE TABLE usage_days (
    source    TEXT NOT NULL,
    day       TEXT NOT NULL,
    import_id INTEGER NOT NULL REFERENCES imports (id),
    PRIMARY KEY (source, day)
);

-- Sessions and distinct users per app and day, keyed by the platform's id so that rollups exist
-- before a solution is registered; they join to solution_external_ids on (system, external_id).
CREATE TABLE usage_daily (
    source      TEXT NOT NULL,
    system      TEXT NOT NULL,
    external_id TEXT NOT NULL,
    day         TEXT NOT NULL,
    sessions    INTEGER NOT NULL,
    users       INTEGER NOT NULL,
    PRIMARY KEY (source, system, external_id, day)
);
CREATE INDEX usage_daily_app ON usage_daily (system, external_id, day);

-- The days of a month on which a pseudonymous user used an app, as a bitmask (bit 0 = day 1),
-- so that a replaced day can be taken out of the month's distinct users exactly.
CREATE TABLE usage_monthly_users (
    source      TEXT NOT NULL,
    system      TEXT NOT NULL,
    external_id TEXT NOT NULL,
    month       TEXT NOT NULL,
    user_key    TEXT NOT NULL,
    day_mask    INTEGER NOT NULL,
    PRIMARY KEY (source, system, external_id, month, user_key)
);
CREATE INDEX usage_monthly_users_month ON usage_monthly_users (source, month);

-- Which import supplied each day of flow runs of a source.
CREATE TABLE run_days (
    source    TEXT NOT NULL,
    day       TEXT NOT NULL,
    import_id INTEGER NOT NULL REFERENCES imports (id),
    PRIMARY KEY (source, day)
);

-- Runs per flow, day (of the run's start) and status, with the total duration of the runs that
-- ended, in milliseconds.
CREATE TABLE run_daily (
    source         TEXT NOT NULL,
    system         TEXT NOT NULL,
    flow_id        TEXT NOT NULL,
    day            TEXT NOT NULL,
    status         TEXT NOT NULL,
    runs           INTEGER NOT NULL,
    timed_runs     INTEGER NOT NULL,
    duration_ms    INTEGER NOT NULL,
    PRIMARY KEY (source, system, flow_id, day, status)
);
CREATE INDEX run_daily_flow ON run_daily (system, flow_id, day);

-- FOCUS cost and usage rows, summed per charge day, billing account, service, resource, tags,
-- charge category and currency. A file replaces the billing periods it covers.
CREATE TABLE cost_facts (
    id                   INTEGER PRIMARY KEY,
    import_id            INTEGER NOT NULL REFERENCES imports (id),
    billing_account_id   TEXT NOT NULL,
    billing_account_name TEXT,
    billing_period_start TEXT NOT NULL,
    charge_day           TEXT NOT NULL,
    provider             TEXT NOT NULL,
    service_name         TEXT NOT NULL,
    service_category     TEXT,
    resource_id          TEXT,
    resource_name        TEXT,
    tags_json            TEXT,
    charge_category      TEXT NOT NULL,
    charge_class         TEXT,
    currency             TEXT NOT NULL,
    billed_cost          TEXT NOT NULL,
    effective_cost       TEXT NOT NULL,
    source_rows          INTEGER NOT NULL
);
CREATE INDEX cost_facts_period ON cost_facts (billing_account_id, billing_period_start);
CREATE INDEX cost_facts_day ON cost_facts (charge_day);

-- Licenses assigned to pseudonymous users, as of the latest report of each source.
CREATE TABLE license_assignments (
    source           TEXT NOT NULL,
    user_key         TEXT NOT NULL,
    product          TEXT NOT NULL,
    last_activity_on TEXT,
    import_id        INTEGER NOT NULL REFERENCES imports (id),
    PRIMARY KEY (source, user_key, product)
);

-- Rows of generic files read through a column mapping (value registers, surveys, check-ins),
-- as JSON objects of the mapped fields.
CREATE TABLE mapped_records (
    id          INTEGER PRIMARY KEY,
    import_id   INTEGER NOT NULL REFERENCES imports (id),
    target      TEXT NOT NULL,
    line        INTEGER NOT NULL,
    fields_json TEXT NOT NULL
);
CREATE INDEX mapped_records_target ON mapped_records (target);
