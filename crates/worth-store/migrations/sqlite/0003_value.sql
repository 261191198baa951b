-- Value lines with their frozen estimates, cost lines, and measurements entered by hand.
-- value_lines and cost_lines of 0001 were never written by any release of Worth; they are
-- replaced by the shapes the value engine needs (a name, a currency, the model as JSON, how a
-- cost was worked out).

DROP TABLE value_lines;
DROP TABLE cost_lines;

CREATE TABLE value_lines (
    id             INTEGER PRIMARY KEY,
    solution_id    INTEGER NOT NULL REFERENCES solutions (id),
    name           TEXT NOT NULL,
    name_key       TEXT NOT NULL,
    category       TEXT NOT NULL,
    spec           TEXT NOT NULL,
    currency       TEXT NOT NULL,
    attribution    TEXT NOT NULL,
    evidence       TEXT NOT NULL,
    process        TEXT,
    start_on       TEXT NOT NULL,
    horizon_months INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    UNIQUE (solution_id, name_key)
);

-- Revision 1 is the estimate frozen when the solution was approved; later revisions are
-- re-estimates. None is ever changed.
CREATE TABLE value_estimates (
    id                INTEGER PRIMARY KEY,
    value_line_id     INTEGER NOT NULL REFERENCES value_lines (id),
    revision          INTEGER NOT NULL,
    spec              TEXT NOT NULL,
    attribution       TEXT NOT NULL,
    guideline_version INTEGER NOT NULL,
    frozen_on         TEXT NOT NULL,
    reason            TEXT,
    created_at        TEXT NOT NULL,
    UNIQUE (value_line_id, revision)
);

CREATE TABLE cost_lines (
    id          INTEGER PRIMARY KEY,
    solution_id INTEGER NOT NULL REFERENCES solutions (id),
    kind        TEXT NOT NULL,
    item        TEXT NOT NULL,
    amount      TEXT NOT NULL,
    currency    TEXT NOT NULL,
    start_on    TEXT NOT NULL,
    end_on      TEXT,
    basis       TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX cost_lines_solution ON cost_lines (solution_id);

-- A metric's value for a solution in a month (units processed, a before/after metric).
CREATE TABLE measurements (
    solution_id INTEGER NOT NULL REFERENCES solutions (id),
    metric      TEXT NOT NULL,
    month       TEXT NOT NULL,
    value       TEXT NOT NULL,
    source      TEXT NOT NULL,
    PRIMARY KEY (solution_id, metric, month)
);
