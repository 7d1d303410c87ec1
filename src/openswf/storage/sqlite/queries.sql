-- Named queries of the SQLite store. Each starts with a "-- name: <name>" line.

-- name: get_meta
SELECT value FROM meta WHERE key = ?;

-- name: put_meta
INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING;

-- name: insert_domain
INSERT INTO domains (region, name, status, description, retention_days, created_ms)
VALUES (?, ?, 'REGISTERED', ?, ?, ?);

-- name: insert_domain_tag
INSERT INTO domain_tags (domain_id, key, value) VALUES (?, ?, ?)
ON CONFLICT (domain_id, key) DO UPDATE SET value = excluded.value;

-- name: get_domain
SELECT id, region, name, status, description, retention_days, created_ms
FROM domains WHERE region = ? AND name = ?;

-- name: list_domains
SELECT id, region, name, status, description, retention_days, created_ms
FROM domains WHERE region = ? AND status = ? AND name > ? ORDER BY name LIMIT ?;

-- name: list_domains_reverse
SELECT id, region, name, status, description, retention_days, created_ms
FROM domains WHERE region = ? AND status = ? AND name < ? ORDER BY name DESC LIMIT ?;

-- name: count_domains
SELECT count(*) FROM domains WHERE region = ?;

-- name: set_domain_status
UPDATE domains SET status = ? WHERE id = ?;

-- name: deprecate_domain_types
UPDATE types SET status = 'DEPRECATED', deprecated_ms = ?
WHERE domain_id = ? AND status = 'REGISTERED';

-- name: insert_type
INSERT INTO types (domain_id, kind, name, version, status, description, configuration,
                   created_ms, deprecated_ms)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: get_type
SELECT domain_id, kind, name, version, status, description, configuration, created_ms,
       deprecated_ms
FROM types WHERE domain_id = ? AND kind = ? AND name = ? AND version = ?;

-- name: list_types
SELECT domain_id, kind, name, version, status, description, configuration, created_ms,
       deprecated_ms
FROM types
WHERE domain_id = ?1 AND kind = ?2 AND status = ?3 AND (?4 IS NULL OR name = ?4)
  AND (name, version) > (?5, ?6)
ORDER BY name, version LIMIT ?7;

-- name: list_types_reverse
SELECT domain_id, kind, name, version, status, description, configuration, created_ms,
       deprecated_ms
FROM types
WHERE domain_id = ?1 AND kind = ?2 AND status = ?3 AND (?4 IS NULL OR name = ?4)
  AND (name, version) < (?5, ?6)
ORDER BY name DESC, version DESC LIMIT ?7;

-- name: count_types
SELECT count(*) FROM types WHERE domain_id = ? AND kind = ?;

-- name: set_type_status
UPDATE types SET status = ?, deprecated_ms = ?
WHERE domain_id = ? AND kind = ? AND name = ? AND version = ?;

-- name: delete_type
DELETE FROM types WHERE domain_id = ? AND kind = ? AND name = ? AND version = ?;

-- name: insert_execution
INSERT INTO executions (run_id, domain_id, workflow_id, type_name, type_version, start_ms,
                        close_ms, close_status, is_open, cancel_requested, parent_workflow_id,
                        parent_run_id, tags, version, state)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: update_execution
UPDATE executions
SET close_ms = ?, close_status = ?, is_open = ?, cancel_requested = ?, version = ?, state = ?
WHERE run_id = ? AND version = ?;

-- name: get_execution
SELECT run_id, domain_id, workflow_id, type_name, type_version, start_ms, close_ms,
       close_status, cancel_requested, parent_workflow_id, parent_run_id, tags, version, state
FROM executions WHERE run_id = ?;

-- name: find_open_execution
SELECT run_id FROM executions WHERE domain_id = ? AND workflow_id = ? AND is_open = 1;

-- name: find_execution
SELECT run_id FROM executions WHERE domain_id = ? AND workflow_id = ? AND run_id = ?;

-- name: count_open_executions
SELECT count(*) FROM executions WHERE domain_id = ? AND is_open = 1;

-- name: insert_event
INSERT INTO events (run_id, event_id, body) VALUES (?, ?, ?);

-- name: read_events
SELECT event_id, body FROM events
WHERE run_id = ? AND event_id > ? AND event_id < ? ORDER BY event_id LIMIT ?;

-- name: read_events_reverse
SELECT event_id, body FROM events
WHERE run_id = ? AND event_id > ? AND event_id < ? ORDER BY event_id DESC LIMIT ?;

-- name: insert_task
INSERT INTO tasks (domain_id, kind, task_list, priority, run_id, scheduled_event_id, payload)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (run_id, kind, scheduled_event_id) DO NOTHING;

-- name: delete_task
DELETE FROM tasks WHERE run_id = ? AND kind = ? AND scheduled_event_id = ?;

-- name: delete_run_tasks
DELETE FROM tasks WHERE run_id = ?;

-- name: backlog
SELECT seq, domain_id, kind, task_list, priority, run_id, scheduled_event_id, payload
FROM tasks WHERE domain_id = ? AND kind = ? AND task_list = ?
ORDER BY priority DESC, seq LIMIT ?;

-- name: count_tasks
SELECT count(*) FROM tasks WHERE domain_id = ? AND kind = ? AND task_list = ?;

-- name: task_counts
-- The backlog of every task list, for metrics (grouped along the tasks_by_list index).
SELECT d.name, c.kind, c.task_list, c.n
FROM (SELECT domain_id, kind, task_list, count(*) AS n
      FROM tasks GROUP BY domain_id, kind, task_list) AS c
JOIN domains AS d ON d.id = c.domain_id;

-- name: upsert_timer
INSERT INTO timers (run_id, key, due_ms) VALUES (?, ?, ?)
ON CONFLICT (run_id, key) DO UPDATE SET due_ms = excluded.due_ms;

-- name: delete_timer
DELETE FROM timers WHERE run_id = ? AND key = ?;

-- name: delete_timer_if_due
DELETE FROM timers WHERE run_id = ? AND key = ? AND due_ms = ?;

-- name: delete_run_timers
-- Outbox messages ("msg:" keys) survive the run's close: they are what it owes others.
DELETE FROM timers WHERE run_id = ? AND key NOT LIKE 'msg:%';

-- name: due_timers
SELECT run_id, key, due_ms FROM timers WHERE due_ms <= ? ORDER BY due_ms LIMIT ?;

-- name: next_timer_due
SELECT min(due_ms) FROM timers;

-- name: list_domain_tags
SELECT key, value FROM domain_tags WHERE domain_id = ? ORDER BY key;

-- name: delete_domain_tag
DELETE FROM domain_tags WHERE domain_id = ? AND key = ?;

-- name: domain_retentions
SELECT id, retention_days FROM domains ORDER BY id;

-- name: expired_runs
-- close_ms is set exactly when a run closes. A run whose outbox still holds messages (a
-- parent to notify, children to terminate) is kept until they are delivered: the relay
-- reads the run to deliver them.
SELECT run_id FROM executions
WHERE domain_id = ?1 AND close_ms <= ?2
  AND NOT EXISTS (SELECT 1 FROM timers WHERE timers.run_id = executions.run_id)
ORDER BY close_ms, run_id LIMIT ?3;

-- name: purge_execution
-- The guards make a purge of an open run, or of one with undelivered messages, a no-op.
DELETE FROM executions
WHERE run_id = ?1 AND is_open = 0
  AND NOT EXISTS (SELECT 1 FROM timers WHERE timers.run_id = ?1);

-- name: purge_run_events
DELETE FROM events WHERE run_id = ?;

-- name: update_execution_state
-- A transition that leaves the run open changes none of the visibility columns, so it
-- writes only columns that no index holds: no index entry moves.
UPDATE executions SET cancel_requested = ?, version = ?, state = ?
WHERE run_id = ? AND version = ?;

-- name: insert_execution_tag
INSERT INTO execution_tags (run_id, tag, domain_id, is_open, start_ms, close_ms)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (run_id, tag) DO NOTHING;

-- name: close_execution_tags
UPDATE execution_tags SET is_open = 0, close_ms = ? WHERE run_id = ?;
