-- The value program: KPIs and their measurements, objectives with key results and
-- check-ins, success stories with their workflow, linked figures and quotes, pilots with
-- their groups, shared ROI artifacts, value check-ins of solutions, and tool evaluations.
-- Numbers are decimal text, dates ISO text, as everywhere in the store.

CREATE TABLE kpis (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL UNIQUE,
    definition TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- One value of a KPI for a subject (a service, a business unit; '' for the whole program)
-- in a period (YYYY-MM or YYYY-Qn).
CREATE TABLE kpi_values (
    kpi_id  INTEGER NOT NULL REFERENCES kpis (id),
    subject TEXT NOT NULL,
    period  TEXT NOT NULL,
    value   TEXT NOT NULL,
    source  TEXT NOT NULL,
    PRIMARY KEY (kpi_id, subject, period)
);

CREATE TABLE objectives (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    period      TEXT NOT NULL,
    owner       TEXT,
    created_at  TEXT NOT NULL
);

CREATE TABLE key_results (
    id           INTEGER PRIMARY KEY,
    objective_id INTEGER NOT NULL REFERENCES objectives (id),
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL,
    direction    TEXT NOT NULL,
    baseline     TEXT NOT NULL,
    target       TEXT NOT NULL,
    weight       TEXT NOT NULL,
    source       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (objective_id, name_key)
);

CREATE TABLE okr_checkins (
    id            INTEGER PRIMARY KEY,
    key_result_id INTEGER NOT NULL REFERENCES key_results (id),
    checked_on    TEXT NOT NULL,
    value         TEXT,
    confidence    INTEGER NOT NULL,
    note          TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX okr_checkins_key_result ON okr_checkins (key_result_id, checked_on);

CREATE TABLE pilots (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    name_key      TEXT NOT NULL UNIQUE,
    kpi_id        INTEGER NOT NULL REFERENCES kpis (id),
    baseline_from TEXT NOT NULL,
    baseline_to   TEXT NOT NULL,
    pilot_from    TEXT NOT NULL,
    pilot_to      TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

-- The units of a pilot's two groups: subjects of its KPI's values.
CREATE TABLE pilot_units (
    pilot_id   INTEGER NOT NULL REFERENCES pilots (id),
    subject    TEXT NOT NULL,
    unit_group TEXT NOT NULL,
    PRIMARY KEY (pilot_id, subject)
);

CREATE TABLE stories (
    id              INTEGER PRIMARY KEY,
    title           TEXT NOT NULL,
    title_key       TEXT NOT NULL UNIQUE,
    author          TEXT NOT NULL,
    problem         TEXT NOT NULL,
    solution_text   TEXT NOT NULL,
    obstacles       TEXT NOT NULL,
    value_text      TEXT NOT NULL,
    next_steps      TEXT NOT NULL,
    status          TEXT NOT NULL,
    pilot_id        INTEGER REFERENCES pilots (id),
    acknowledged_on TEXT,
    acknowledged_by TEXT,
    created_at      TEXT NOT NULL
);

CREATE TABLE story_events (
    id          INTEGER PRIMARY KEY,
    story_id    INTEGER NOT NULL REFERENCES stories (id),
    status      TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    actor       TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX story_events_story ON story_events (story_id);

-- A figure is a link, never an amount: the engine computes it when the story is shown.
CREATE TABLE story_figures (
    id            INTEGER PRIMARY KEY,
    story_id      INTEGER NOT NULL REFERENCES stories (id),
    solution_id   INTEGER NOT NULL REFERENCES solutions (id),
    value_line_id INTEGER REFERENCES value_lines (id)
);
CREATE INDEX story_figures_story ON story_figures (story_id);

CREATE TABLE story_quotes (
    id       INTEGER PRIMARY KEY,
    story_id INTEGER NOT NULL REFERENCES stories (id),
    quote    TEXT NOT NULL,
    who      TEXT NOT NULL
);

CREATE TABLE artifacts (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    shared_on  TEXT NOT NULL,
    location   TEXT,
    created_at TEXT NOT NULL
);

-- A solution owner's check of realized value after go-live.
CREATE TABLE value_checkins (
    id          INTEGER PRIMARY KEY,
    solution_id INTEGER NOT NULL REFERENCES solutions (id),
    checked_on  TEXT NOT NULL,
    note        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX value_checkins_solution ON value_checkins (solution_id);

CREATE TABLE tool_evaluations (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL UNIQUE,
    spec       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
