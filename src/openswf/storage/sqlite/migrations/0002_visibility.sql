-- openswf SQLite schema, version 2: visibility at millions of executions.
--
-- Every filter of List/Count{Open,Closed}WorkflowExecutions gets an index whose columns are
-- the filter's equality columns, then the time column the listing sorts on, then run_id (the
-- tie-breaker of the page token). The first page is then a range read in index order (no
-- sort) and a count is a range read of one index that never visits the table (covering).
-- Execution tags move out of the JSON column into a table of their own, indexed the same way.
--
--   filter            open / closed by start time          closed by close time
--   none              executions_by_start                  executions_by_close
--   executionFilter   executions_by_workflow_start         executions_by_workflow_close
--   typeFilter name   executions_by_type_start             executions_by_type_close
--   name + version    executions_by_version_start          executions_by_version_close
--   closeStatusFilter executions_by_status_start           executions_by_status_close
--   tagFilter         execution_tags_by_start              execution_tags_by_close
--
-- The by-start indexes hold is_open as a column: one index serves open and closed runs. The
-- others hold closed runs only, and are partial on a column that is set exactly when the run
-- is closed (close_ms, close_status). A query's own range or equality term on that column
-- implies the index's condition, so SQLite uses the index, and every column the query reads
-- is in it. (A partial index on "is_open = 0" would not be covering: SQLite 3.40 reads the
-- table to check is_open.)

-- Replaced by executions_by_workflow_start, which also gives the listing's order.
DROP INDEX executions_by_workflow;
-- Partial on close_ms rather than is_open, so that counts by close time are covering.
DROP INDEX executions_by_close;

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
-- with the run's row (_apply_commit: inserted at start, updated at close).
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

INSERT INTO execution_tags (run_id, tag, domain_id, is_open, start_ms, close_ms)
SELECT DISTINCT e.run_id, t.value, e.domain_id, e.is_open, e.start_ms, e.close_ms
FROM executions AS e, json_each(e.tags) AS t;
