-- openswf PostgreSQL schema: the whole current schema, for new databases (schema version 2).
-- Timestamps are UTC epoch milliseconds. Each index and table is explained in the migration
-- that added it (migrations/); a database migrated step by step has exactly this schema
-- (tests/contract/test_postgres_schema.py checks it).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE domains (
    id             BIGSERIAL PRIMARY KEY,
    region         TEXT NOT NULL,
    name           TEXT NOT NULL,
    status         TEXT NOT NULL,
    description    TEXT,
    retention_days TEXT NOT NULL,
    created_ms     BIGINT NOT NULL,
    UNIQUE (region, name)
);

CREATE TABLE domain_tags (
    domain_id BIGINT NOT NULL REFERENCES domains (id),
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (domain_id, key)
);

CREATE TABLE types (
    domain_id     BIGINT NOT NULL,
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    version       TEXT NOT NULL,
    status        TEXT NOT NULL,
    description   TEXT,
    configuration TEXT NOT NULL,
    created_ms    BIGINT NOT NULL,
    deprecated_ms BIGINT,
    PRIMARY KEY (domain_id, kind, name, version)
);

CREATE TABLE executions (
    run_id             TEXT PRIMARY KEY,
    domain_id          BIGINT NOT NULL,
    workflow_id        TEXT NOT NULL,
    type_name          TEXT NOT NULL,
    type_version       TEXT NOT NULL,
    start_ms           BIGINT NOT NULL,
    close_ms           BIGINT,
    close_status       TEXT,
    is_open            BOOLEAN NOT NULL,
    cancel_requested   BOOLEAN NOT NULL,
    parent_workflow_id TEXT,
    parent_run_id      TEXT,
    tags               TEXT NOT NULL,
    version            BIGINT NOT NULL,
    state              BYTEA NOT NULL
) WITH (fillfactor = 70);
CREATE UNIQUE INDEX executions_open_workflow ON executions (domain_id, workflow_id) WHERE is_open;
CREATE INDEX executions_by_start ON executions (domain_id, is_open, start_ms, run_id);
CREATE INDEX executions_by_close ON executions (domain_id, close_ms, run_id) WHERE NOT is_open;
CREATE INDEX executions_by_workflow_start ON executions (domain_id, is_open, workflow_id, start_ms, run_id);
CREATE INDEX executions_by_type_start ON executions (domain_id, is_open, type_name, start_ms, run_id);
CREATE INDEX executions_by_version_start ON executions (domain_id, is_open, type_name, type_version, start_ms, run_id);
CREATE INDEX executions_by_status_start ON executions (domain_id, close_status, start_ms, run_id) WHERE NOT is_open;
CREATE INDEX executions_by_workflow_close ON executions (domain_id, workflow_id, close_ms, run_id) WHERE NOT is_open;
CREATE INDEX executions_by_type_close ON executions (domain_id, type_name, close_ms, run_id) WHERE NOT is_open;
CREATE INDEX executions_by_version_close ON executions (domain_id, type_name, type_version, close_ms, run_id) WHERE NOT is_open;
CREATE INDEX executions_by_status_close ON executions (domain_id, close_status, close_ms, run_id) WHERE NOT is_open;

CREATE TABLE execution_tags (
    run_id    TEXT NOT NULL REFERENCES executions (run_id) ON DELETE CASCADE,
    tag       TEXT NOT NULL,
    domain_id BIGINT NOT NULL,
    is_open   BOOLEAN NOT NULL,
    start_ms  BIGINT NOT NULL,
    close_ms  BIGINT,
    PRIMARY KEY (run_id, tag)
);
CREATE INDEX execution_tags_by_start ON execution_tags (domain_id, is_open, tag, start_ms, run_id);
CREATE INDEX execution_tags_by_close ON execution_tags (domain_id, tag, close_ms, run_id) WHERE NOT is_open;

CREATE TABLE events (
    run_id   TEXT NOT NULL,
    event_id INTEGER NOT NULL,
    body     BYTEA NOT NULL,
    PRIMARY KEY (run_id, event_id)
);

CREATE TABLE tasks (
    seq                BIGSERIAL PRIMARY KEY,
    domain_id          BIGINT NOT NULL,
    kind               TEXT NOT NULL,
    task_list          TEXT NOT NULL,
    priority           INTEGER NOT NULL,
    run_id             TEXT NOT NULL,
    scheduled_event_id INTEGER NOT NULL,
    payload            BYTEA,
    leased_by          TEXT,
    leased_until_ms    BIGINT NOT NULL DEFAULT 0,
    UNIQUE (run_id, kind, scheduled_event_id)
);
CREATE INDEX tasks_by_list ON tasks (domain_id, kind, task_list, priority DESC, seq);

CREATE TABLE timers (
    run_id TEXT NOT NULL,
    key    TEXT NOT NULL,
    due_ms BIGINT NOT NULL,
    PRIMARY KEY (run_id, key)
);
CREATE INDEX timers_by_due ON timers (due_ms);
