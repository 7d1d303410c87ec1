-- openswf PostgreSQL schema, version 2 (mirrors the SQLite store's 0002): visibility at
-- millions of executions.
--
-- Every filter of List/Count{Open,Closed}WorkflowExecutions gets an index whose columns are
-- the filter's equality columns, then the time column the listing sorts on, then run_id (the
-- tie-breaker of the page token). The first page is then a range read in index order (no
-- sort) and a count is a range read of one index. Execution tags move out of the JSON column
-- into a table of their own, indexed the same way.
--
--   filter            open / closed by start time          closed by close time
--   none              executions_by_start                  executions_by_close
--   executionFilter   executions_by_workflow_start         executions_by_workflow_close
--   typeFilter name   executions_by_type_start             executions_by_type_close
--   name + version    executions_by_version_start          executions_by_version_close
--   closeStatusFilter executions_by_status_start           executions_by_status_close
--   tagFilter         execution_tags_by_start              execution_tags_by_close
--
-- The by-start indexes hold is_open as a column (one index serves open and closed runs); the
-- by-close ones are partial (open runs have no close time). Queries spell is_open as a
-- literal, so that the planner can match the partial indexes.

-- Replaced by executions_by_workflow_start, which also gives the listing's order.
DROP INDEX executions_by_workflow;

CREATE INDEX executions_by_workflow_start ON executions (domain_id, is_open, workflow_id, start_ms, run_id);
CREATE INDEX executions_by_type_start ON executions (domain_id, is_open, type_name, start_ms, run_id);
CREATE INDEX executions_by_version_start ON executions (domain_id, is_open, type_name, type_version, start_ms, run_id);
CREATE INDEX executions_by_status_start ON executions (domain_id, close_status, start_ms, run_id) WHERE NOT is_open;
CREATE INDEX executions_by_workflow_close ON executions (domain_id, workflow_id, close_ms, run_id) WHERE NOT is_open;
CREATE INDEX executions_by_type_close ON executions (domain_id, type_name, close_ms, run_id) WHERE NOT is_open;
CREATE INDEX executions_by_version_close ON executions (domain_id, type_name, type_version, close_ms, run_id) WHERE NOT is_open;
CREATE INDEX executions_by_status_close ON executions (domain_id, close_status, close_ms, run_id) WHERE NOT is_open;

-- One row per distinct tag of a run, with copies of the run's visibility columns: written
-- with the run's row (inserted at start, updated at close). Whoever deletes a run (the
-- retention purge) deletes its tags through the foreign key.
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

INSERT INTO execution_tags (run_id, tag, domain_id, is_open, start_ms, close_ms)
SELECT DISTINCT e.run_id, t.tag, e.domain_id, e.is_open, e.start_ms, e.close_ms
FROM executions AS e, json_array_elements_text(e.tags::json) AS t (tag);
