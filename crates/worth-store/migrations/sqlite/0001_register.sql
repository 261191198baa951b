-- The register: workspace settings, business units, people, environments, solutions and their
-- lifecycle, rate cards, exchange rates, ROI guideline versions, value and cost lines, and the
-- audit log. Dates are ISO 8601 text (YYYY-MM-DD), instants RFC 3339 text in UTC, money a
-- decimal string with its currency: the same representation on both backends.

CREATE TABLE workspace (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE business_units (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL UNIQUE,
    parent_id  INTEGER REFERENCES business_units (id),
    created_at TEXT NOT NULL
);

CREATE TABLE people (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE environments (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    env_type    TEXT NOT NULL,
    external_id TEXT UNIQUE,
    created_at  TEXT NOT NULL
);

CREATE TABLE solutions (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL,
    name_key         TEXT NOT NULL,
    kind             TEXT NOT NULL,
    platform         TEXT NOT NULL,
    business_unit_id INTEGER NOT NULL REFERENCES business_units (id),
    environment_id   INTEGER REFERENCES environments (id),
    owner_id         INTEGER REFERENCES people (id),
    criticality      TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    UNIQUE (business_unit_id, name_key)
);
CREATE INDEX solutions_name_key ON solutions (name_key);

CREATE TABLE solution_external_ids (
    system      TEXT NOT NULL,
    external_id TEXT NOT NULL,
    solution_id INTEGER NOT NULL REFERENCES solutions (id),
    PRIMARY KEY (system, external_id)
);
CREATE INDEX solution_external_ids_solution ON solution_external_ids (solution_id);

CREATE TABLE lifecycle_events (
    id          INTEGER PRIMARY KEY,
    solution_id INTEGER NOT NULL REFERENCES solutions (id),
    stage       TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    note        TEXT,
    recorded_at TEXT NOT NULL
);
CREATE INDEX lifecycle_events_solution ON lifecycle_events (solution_id, occurred_on);

CREATE TABLE rate_cards (
    id               INTEGER PRIMARY KEY,
    role             TEXT NOT NULL,
    business_unit_id INTEGER REFERENCES business_units (id),
    hourly_amount    TEXT NOT NULL,
    currency         TEXT NOT NULL,
    valid_from       TEXT NOT NULL,
    valid_to         TEXT,
    created_at       TEXT NOT NULL
);

CREATE TABLE fx_rates (
    base     TEXT NOT NULL,
    quote    TEXT NOT NULL,
    valid_on TEXT NOT NULL,
    rate     TEXT NOT NULL,
    PRIMARY KEY (base, quote, valid_on)
);

CREATE TABLE guideline_versions (
    version    INTEGER PRIMARY KEY,
    settings   TEXT NOT NULL,
    note       TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);

CREATE TABLE value_lines (
    id             INTEGER PRIMARY KEY,
    solution_id    INTEGER NOT NULL REFERENCES solutions (id),
    category       TEXT NOT NULL,
    model          TEXT NOT NULL,
    parameters     TEXT NOT NULL,
    attribution    TEXT NOT NULL,
    evidence       TEXT NOT NULL,
    process        TEXT,
    start_on       TEXT NOT NULL,
    horizon_months INTEGER NOT NULL,
    created_at     TEXT NOT NULL
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
    created_at  TEXT NOT NULL
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    record      TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, record);
