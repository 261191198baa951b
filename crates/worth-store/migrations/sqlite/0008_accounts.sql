-- Accounts of the web app and the API, and import jobs: users with their role and argon2id password hash,
-- the business units an owner or sponsor is scoped to, login sessions and API tokens. Session
-- ids and tokens are kept only as hashes, so a copy of the database opens no session.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    name_key      TEXT NOT NULL UNIQUE,
    person        TEXT,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    disabled_at   TEXT
);

CREATE TABLE user_business_units (
    user_id          INTEGER NOT NULL REFERENCES users (id),
    business_unit_id INTEGER NOT NULL REFERENCES business_units (id),
    PRIMARY KEY (user_id, business_unit_id)
);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Imports run as background jobs of the server: the uploaded file waits here until one server
-- claims the job (a row lock on PostgreSQL, SQLite's single writer), runs it through the same
-- importer as `worth import`, and records its summary and rejects.
CREATE TABLE import_jobs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    content     BLOB NOT NULL,
    strict      INTEGER NOT NULL,
    state       TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    claimed_by  TEXT,
    started_at  TEXT,
    finished_at TEXT,
    summary     TEXT,
    rejects     TEXT,
    error       TEXT
);
CREATE INDEX import_jobs_state ON import_jobs (state, id);
