-- openswf SQLite schema, version 1. Timestamps are UTC epoch milliseconds.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE domains (
    id             INTEGER PRIMARY KEY,
    region         TEXT NOT NULL,
    name           TEXT NOT NULL,
    status         TEXT NOT NULL,
    description    TEXT,
    retention_days TEXT NOT NULL,
    created_ms     INTEGER NOT NULL,
    UNIQUE (region, name)
);

CREATE TABLE domain_tags (
    domain_id INTEGER NOT NULL REFERENCES domains (id),
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (domain_id, key)
) WITHOUT ROWID;

CREATE TABLE types (
    domain_id     INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    version       TEXT NOT NULL,
    status        TEXT NOT NULL,
    description   TEXT,
    configuration TEXT NOT NULL,
    created_ms    INTEGER NOT NULL,
    deprecated_ms INTEGER,
    PRIMARY KEY (domain_id, kind, name, version)
) WITHOUT ROWID;

CREATE TABLE executions (
    run_id             TEXT PRIMARY KEY,
    domain_id          INTEGER NOT NULL,
    workflow_id        TEXT NOT NULL,
    type_name          TEXT NOT NULL,
    type_version       TEXT NOT NULL,
    start_ms           INTEGER NOT NULL,
    close_ms           INTEGER,
    close_status       TEXT,
    is_open            INTEGER NOT NULL,
    cancel_requested   INTEGER NOT NULL,
    parent_workflow_id TEXT,
    parent_run_id      TEXT,
    tags               TEXT NOT NULL,
    version            INTEGER NOT NULL,
    state              BLOB NOT NULL
);
-- At most one open run per workflowId and domain: the store itself keeps SWF's rule.
CREATE UNIQUE INDEX executions_open_workflow ON executions (domain_id, workflow_id) WHERE is_open = 1;
CREATE INDEX executions_by_start ON executions (domain_id, is_open, start_ms, run_id);
CREATE INDEX executions_by_close ON executions (domain_id, close_ms, run_id) WHERE is_open = 0;
CREATE INDEX executions_by_workflow ON executions (domain_id, workflow_id, start_ms);

CREATE TABLE events (
    run_id   TEXT NOT NULL,
    event_id INTEGER NOT NULL,
    body     BLOB NOT NULL,
    PRIMARY KEY (run_id, event_id)
) WITHOUT ROWID;

CREATE TABLE tasks (
    seq                INTEGER PRIMARY KEY,
    domain_id          INTEGER NOT NULL,
    kind               TEXT NOT NULL,
    task_list          TEXT NOT NULL,
    priority           INTEGER NOT NULL,
    run_id             TEXT NOT NULL,
    scheduled_event_id INTEGER NOT NULL,
    payload            BLOB,
    UNIQUE (run_id, kind, scheduled_event_id)
);
CREATE INDEX tasks_by_list ON tasks (domain_id, kind, task_list, priority DESC, seq);

CREATE TABLE timers (
    run_id TEXT NOT NULL,
    key    TEXT NOT NULL,
    due_ms INTEGER NOT NULL,
    PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
CREATE INDEX timers_by_due ON timers (due_ms);
