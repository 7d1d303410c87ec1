-- openswf PostgreSQL schema, version 1 (mirrors the SQLite store's 0001). Timestamps are UTC
-- epoch milliseconds (BIGINT); encoded events, states and payloads are BYTEA.
--
-- Portable on purpose: no stored functions, triggers, advisory locks or extensions, so that
-- Postgres-compatible distributed engines (CockroachDB, YugabyteDB) run it as well.

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

-- Every transition rewrites the run's row (version, state). Room left on each page lets
-- PostgreSQL update in place (HOT) when no indexed column changes, which is every
-- transition but start and close: no index entry is written for them.
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
-- At most one open run per workflowId and domain: the store itself keeps SWF's rule, for
-- every server at once.
CREATE UNIQUE INDEX executions_open_workflow ON executions (domain_id, workflow_id) WHERE is_open;
CREATE INDEX executions_by_start ON executions (domain_id, is_open, start_ms, run_id);
CREATE INDEX executions_by_close ON executions (domain_id, close_ms, run_id) WHERE NOT is_open;
CREATE INDEX executions_by_workflow ON executions (domain_id, workflow_id, start_ms);

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
    -- The server whose polls have the task in hand, until when (database time): other
    -- servers' backlog reads skip it meanwhile; a lease that ran out is anyone's again.
    leased_by          TEXT,
    leased_until_ms    BIGINT NOT NULL DEFAULT 0,
    UNIQUE (run_id, kind, scheduled_event_id)
);
CREATE INDEX tasks_by_list ON tasks (domain_id, kind, task_list, priority DESC, seq);

-- due_ms also serves as the claim: a server that takes a due row moves it a lease ahead, so
-- no other server fires it meanwhile, and a server that dies mid-fire leaves it to fire again.
CREATE TABLE timers (
    run_id TEXT NOT NULL,
    key    TEXT NOT NULL,
    due_ms BIGINT NOT NULL,
    PRIMARY KEY (run_id, key)
);
CREATE INDEX timers_by_due ON timers (due_ms);
