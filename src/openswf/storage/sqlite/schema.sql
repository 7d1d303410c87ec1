-- openswf SQLite schema: the whole current schema, for new databases (PRAGMA user_version 2).
-- Timestamps are UTC epoch milliseconds. Each index and table is explained in the migration
-- that added it (migrations/); a database migrated step by step has exactly this schema.

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
-- Visibility: one index per filter, in the listing's order (time, run_id); see 0002.
CREATE INDEX executions_by_start ON executions (domain_id, is_open, start_ms, run_id);
CREATE INDEX executions_by_close ON executions (domain_id, close_ms, run_id) WHERE close_ms IS NOT NULL;
CREATE INDEX executions_by_workflow_start ON executions (domain_id, is_open, workflow_id, start_ms, run_id);
CREATE INDEX executions_by_type_start ON executions (domain_id, is_open, type_name, start_ms, run_id);
CREATE INDEX executions_by_version_start ON executions (domain_id, is_open, type_name, type_version, start_ms, run_id);
CREATE INDEX executions_by_status_start ON executions (domain_id, close_status, start_ms, run_id) WHERE close_status IS NOT NULL;
CREATE INDEX executions_by_workflow_close ON executions (domain_id, workflow_id, close_ms, run_id) WHERE close_ms IS NOT NULL;
CREATE INDEX executions_by_type_close ON executions (domain_id, type_name, close_ms, run_id) WHERE close_ms IS NOT NULL;
CREATE INDEX executions_by_version_close ON executions (domain_id, type_name, type_version, close_ms, run_id) WHERE close_ms IS NOT NULL;
CREATE INDEX executions_by_status_close ON executions (domain_id, close_status, close_ms, run_id) WHERE close_ms IS NOT NULL;

-- One row per distinct tag of a run, with copies of the run's visibility columns: written
-- with the run's row (inserted at start, updated at close).
CREATE TABLE execution_tags (
    run_id    TEXT NOT NULL,
    tag       TEXT NOT NULL,
    domain_id INTEGER NOT NULL,
    is_open   INTEGER NOT NULL,
    start_ms  INTEGER NOT NULL,
    close_ms  INTEGER,
    PRIMARY KEY (run_id, tag)
) WITHOUT ROWID;
CREATE INDEX execution_tags_by_start ON execution_tags (domain_id, is_open, tag, start_ms, run_id);
CREATE INDEX execution_tags_by_close ON execution_tags (domain_id, tag, close_ms, run_id) WHERE close_ms IS NOT NULL;

-- Whoever deletes a run (the retention purge) deletes its tags: SQLite's stand-in for
-- ON DELETE CASCADE, as the store runs with foreign keys off.
CREATE TRIGGER executions_delete_tags AFTER DELETE ON executions
BEGIN
    DELETE FROM execution_tags WHERE run_id = OLD.run_id;
END;

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
