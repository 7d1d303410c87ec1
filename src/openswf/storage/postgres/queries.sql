-- Named queries of the PostgreSQL store. Each starts with a "-- name: <name>" line; the
-- parameters are psycopg's %s placeholders, in order.

-- name: get_meta
SELECT value FROM meta WHERE key = %s;

-- name: put_meta
INSERT INTO meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO NOTHING;

-- name: insert_domain
INSERT INTO domains (region, name, status, description, retention_days, created_ms)
VALUES (%s, %s, 'REGISTERED', %s, %s, %s)
RETURNING id;

-- name: insert_domain_tag
INSERT INTO domain_tags (domain_id, key, value) VALUES (%s, %s, %s)
ON CONFLICT (domain_id, key) DO UPDATE SET value = excluded.value;

-- name: get_domain
SELECT id, region, name, status, description, retention_days, created_ms
FROM domains WHERE region = %s AND name = %s;

-- name: get_domain_by_id
SELECT id, region, name, status, description, retention_days, created_ms
FROM domains WHERE id = %s;

-- name: list_domains
SELECT id, region, name, status, description, retention_days, created_ms
FROM domains WHERE region = %s AND status = %s AND (%s::text IS NULL OR name > %s)
ORDER BY name LIMIT %s;

-- name: list_domains_reverse
SELECT id, region, name, status, description, retention_days, created_ms
FROM domains WHERE region = %s AND status = %s AND (%s::text IS NULL OR name < %s)
ORDER BY name DESC LIMIT %s;

-- name: count_domains
SELECT count(*) FROM domains WHERE region = %s;

-- name: set_domain_status
UPDATE domains SET status = %s WHERE id = %s;

-- name: deprecate_domain_types
UPDATE types SET status = 'DEPRECATED', deprecated_ms = %s
WHERE domain_id = %s AND status = 'REGISTERED';

-- name: lock_domain
-- Serialises the tag changes of one domain across servers (the tag limit is a check of
-- the whole set).
SELECT id FROM domains WHERE id = %s FOR UPDATE;

-- name: list_domain_tags
SELECT key, value FROM domain_tags WHERE domain_id = %s ORDER BY key;

-- name: delete_domain_tags
DELETE FROM domain_tags WHERE domain_id = %s AND key = ANY(%s::text[]);

-- name: insert_type
INSERT INTO types (domain_id, kind, name, version, status, description, configuration,
                   created_ms, deprecated_ms)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s);

-- name: get_type
SELECT domain_id, kind, name, version, status, description, configuration, created_ms,
       deprecated_ms
FROM types WHERE domain_id = %s AND kind = %s AND name = %s AND version = %s;

-- name: get_types
SELECT domain_id, kind, name, version, status, description, configuration, created_ms,
       deprecated_ms
FROM types
WHERE domain_id = %s AND kind = %s
  AND (name, version) IN (SELECT * FROM unnest(%s::text[], %s::text[]));

-- name: list_types
SELECT domain_id, kind, name, version, status, description, configuration, created_ms,
       deprecated_ms
FROM types
WHERE domain_id = %(domain_id)s AND kind = %(kind)s AND status = %(status)s
  AND (%(name)s::text IS NULL OR name = %(name)s)
  AND (%(after_name)s::text IS NULL OR (name, version) > (%(after_name)s, %(after_version)s))
ORDER BY name, version LIMIT %(limit)s;

-- name: list_types_reverse
SELECT domain_id, kind, name, version, status, description, configuration, created_ms,
       deprecated_ms
FROM types
WHERE domain_id = %(domain_id)s AND kind = %(kind)s AND status = %(status)s
  AND (%(name)s::text IS NULL OR name = %(name)s)
  AND (%(after_name)s::text IS NULL OR (name, version) < (%(after_name)s, %(after_version)s))
ORDER BY name DESC, version DESC LIMIT %(limit)s;

-- name: count_types
SELECT count(*) FROM types WHERE domain_id = %s AND kind = %s;

-- name: set_type_status
UPDATE types SET status = %s, deprecated_ms = %s
WHERE domain_id = %s AND kind = %s AND name = %s AND version = %s;

-- name: delete_type
DELETE FROM types WHERE domain_id = %s AND kind = %s AND name = %s AND version = %s;

-- name: insert_execution
INSERT INTO executions (run_id, domain_id, workflow_id, type_name, type_version, start_ms,
                        close_ms, close_status, is_open, cancel_requested, parent_workflow_id,
                        parent_run_id, tags, version, state)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s);

-- name: update_execution
UPDATE executions
SET close_ms = %s, close_status = %s, is_open = %s, cancel_requested = %s, version = %s,
    state = %s
WHERE run_id = %s AND version = %s
RETURNING version;

-- name: update_execution_state
-- A transition that leaves the run open changes none of the indexed columns, so the new row
-- version can stay on its page (a HOT update): no index entry is written.
UPDATE executions SET cancel_requested = %s, version = %s, state = %s
WHERE run_id = %s AND version = %s
RETURNING version;

-- name: get_execution
SELECT run_id, domain_id, workflow_id, type_name, type_version, start_ms, close_ms,
       close_status, cancel_requested, parent_workflow_id, parent_run_id, tags, version, state
FROM executions WHERE run_id = %s;

-- name: find_open_execution
SELECT run_id, domain_id, workflow_id, type_name, type_version, start_ms, close_ms,
       close_status, cancel_requested, parent_workflow_id, parent_run_id, tags, version, state
FROM executions WHERE domain_id = %s AND workflow_id = %s AND is_open;

-- name: find_execution
SELECT run_id, domain_id, workflow_id, type_name, type_version, start_ms, close_ms,
       close_status, cancel_requested, parent_workflow_id, parent_run_id, tags, version, state
FROM executions WHERE domain_id = %s AND workflow_id = %s AND run_id = %s;

-- name: count_open_executions
SELECT count(*) FROM executions WHERE domain_id = %s AND is_open;

-- name: insert_execution_tag
INSERT INTO execution_tags (run_id, tag, domain_id, is_open, start_ms, close_ms)
VALUES (%s, %s, %s, %s, %s, %s)
ON CONFLICT (run_id, tag) DO NOTHING;

-- name: close_execution_tags
UPDATE execution_tags SET is_open = FALSE, close_ms = %s WHERE run_id = %s;

-- name: insert_event
INSERT INTO events (run_id, event_id, body) VALUES (%s, %s, %s);

-- name: read_events
SELECT event_id, body FROM events
WHERE run_id = %s AND event_id > %s AND event_id < %s ORDER BY event_id LIMIT %s;

-- name: read_events_reverse
SELECT event_id, body FROM events
WHERE run_id = %s AND event_id > %s AND event_id < %s ORDER BY event_id DESC LIMIT %s;

-- name: insert_task
INSERT INTO tasks (domain_id, kind, task_list, priority, run_id, scheduled_event_id, payload)
VALUES (%s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (run_id, kind, scheduled_event_id) DO NOTHING
RETURNING seq;

-- name: notify_tasks
-- Tells the other servers' listeners that tasks wait on these lists.
SELECT count(pg_notify('openswf_tasks', note)) FROM unnest(%s::text[]) AS note;

-- name: delete_task
DELETE FROM tasks WHERE run_id = %s AND kind = %s AND scheduled_event_id = %s;

-- name: delete_run_tasks
DELETE FROM tasks WHERE run_id = %s;

-- name: backlog
SELECT seq, domain_id, kind, task_list, priority, run_id, scheduled_event_id, payload
FROM tasks WHERE domain_id = %s AND kind = %s AND task_list = %s
ORDER BY priority DESC, seq LIMIT %s;

-- name: lease_backlog
-- The next tasks of a list for this server's polls, taken with a lease (database time) so
-- that the other servers' reads skip them; SKIP LOCKED passes over rows another server is
-- taking at this moment instead of waiting for them. Rows this server holds already come
-- back with their lease renewed.
WITH clock AS (SELECT CAST(extract(epoch FROM statement_timestamp()) * 1000 AS BIGINT) AS now_ms)
UPDATE tasks
SET leased_by = %(node)s, leased_until_ms = clock.now_ms + %(lease_ms)s
FROM clock
WHERE tasks.seq IN (
    SELECT t.seq FROM tasks AS t, clock
    WHERE t.domain_id = %(domain_id)s AND t.kind = %(kind)s AND t.task_list = %(task_list)s
      AND (t.leased_until_ms <= clock.now_ms OR t.leased_by = %(node)s)
    ORDER BY t.priority DESC, t.seq LIMIT %(limit)s
    FOR UPDATE OF t SKIP LOCKED)
RETURNING seq, domain_id, kind, task_list, priority, run_id, scheduled_event_id, payload;

-- name: lease_backlog_without_skip_locked
-- The same for engines without SKIP LOCKED: a concurrent read waits for the rows (or retries,
-- on serializable engines), and the outer lease test drops what another server took.
WITH clock AS (SELECT CAST(extract(epoch FROM statement_timestamp()) * 1000 AS BIGINT) AS now_ms)
UPDATE tasks
SET leased_by = %(node)s, leased_until_ms = clock.now_ms + %(lease_ms)s
FROM clock
WHERE (tasks.leased_until_ms <= clock.now_ms OR tasks.leased_by = %(node)s)
  AND tasks.seq IN (
    SELECT t.seq FROM tasks AS t, clock
    WHERE t.domain_id = %(domain_id)s AND t.kind = %(kind)s AND t.task_list = %(task_list)s
      AND (t.leased_until_ms <= clock.now_ms OR t.leased_by = %(node)s)
    ORDER BY t.priority DESC, t.seq LIMIT %(limit)s)
RETURNING seq, domain_id, kind, task_list, priority, run_id, scheduled_event_id, payload;

-- name: release_tasks
-- Ends this server's lease on tasks that no poll here took, so the other servers' reads find
-- them now rather than when the lease runs out.
UPDATE tasks SET leased_by = NULL, leased_until_ms = 0
WHERE leased_by = %s AND seq = ANY(%s::bigint[]);

-- name: count_tasks
SELECT count(*) FROM tasks WHERE domain_id = %s AND kind = %s AND task_list = %s;

-- name: task_counts
-- The backlog of every task list, for metrics (grouped along the tasks_by_list index).
SELECT d.name, c.kind, c.task_list, c.n
FROM (SELECT domain_id, kind, task_list, count(*) AS n
      FROM tasks GROUP BY domain_id, kind, task_list) AS c
JOIN domains AS d ON d.id = c.domain_id;

-- name: upsert_timer
INSERT INTO timers (run_id, key, due_ms) VALUES (%s, %s, %s)
ON CONFLICT (run_id, key) DO UPDATE SET due_ms = excluded.due_ms;

-- name: delete_timer
DELETE FROM timers WHERE run_id = %s AND key = %s;

-- name: delete_timer_if_due
DELETE FROM timers WHERE run_id = %s AND key = %s AND due_ms = %s;

-- name: release_timer
-- A claimed row whose handling failed comes due again soon rather than when its lease ends;
-- matched by its lease, so a row that another server claimed since is left alone.
UPDATE timers SET due_ms = %s WHERE run_id = %s AND key = %s AND due_ms = %s;

-- name: delete_run_timers
-- Outbox messages ("msg:" keys) survive the run's close: they are what it owes others.
DELETE FROM timers WHERE run_id = %s AND key NOT LIKE 'msg:%%';

-- name: claim_due_timers
-- Takes due rows by moving them a lease ahead: one server fires each. SKIP LOCKED lets
-- servers claiming at the same moment take different rows instead of queueing on the same
-- ones; the outer due_ms test re-checks a row that another claim moved meanwhile. The rows
-- come back oldest first, each with its lease as due_ms (what the fired row's delete
-- matches).
WITH due AS (
    SELECT run_id, key, due_ms FROM timers WHERE due_ms <= %(now_ms)s
    ORDER BY due_ms LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE timers AS t SET due_ms = %(lease_ms)s
    FROM due
    WHERE t.run_id = due.run_id AND t.key = due.key AND t.due_ms <= %(now_ms)s
    RETURNING t.run_id, t.key, t.due_ms, due.due_ms AS was_due
)
SELECT run_id, key, due_ms FROM claimed ORDER BY was_due, run_id, key;

-- name: claim_due_timers_without_skip_locked
-- The same claim for engines without SKIP LOCKED: concurrent claims wait on each other's row
-- locks (or retry, on serializable engines) and the outer due_ms test drops what moved.
WITH due AS (
    SELECT run_id, key, due_ms FROM timers WHERE due_ms <= %(now_ms)s
    ORDER BY due_ms LIMIT %(limit)s
), claimed AS (
    UPDATE timers AS t SET due_ms = %(lease_ms)s
    FROM due
    WHERE t.run_id = due.run_id AND t.key = due.key AND t.due_ms <= %(now_ms)s
    RETURNING t.run_id, t.key, t.due_ms, due.due_ms AS was_due
)
SELECT run_id, key, due_ms FROM claimed ORDER BY was_due, run_id, key;

-- name: unclaim_timers
-- Undoes a claim whose commit may or may not have happened: its rows carry its lease.
UPDATE timers SET due_ms = %(now_ms)s WHERE due_ms = %(lease_ms)s;

-- name: next_timer_due
SELECT min(due_ms) FROM timers;

-- name: domain_retentions
SELECT id, retention_days FROM domains ORDER BY id;

-- name: expired_runs
-- close_ms is set exactly when a run closes. A run whose outbox still holds messages (a
-- parent to notify, children to terminate) is kept until they are delivered: the relay
-- reads the run to deliver them.
SELECT run_id FROM executions
WHERE domain_id = %s AND NOT is_open AND close_ms <= %s
  AND NOT EXISTS (SELECT 1 FROM timers WHERE timers.run_id = executions.run_id)
ORDER BY close_ms, run_id LIMIT %s;

-- name: purge_executions
-- Tags go with their run (ON DELETE CASCADE). The guards make a purge of an open run, or of
-- one with undelivered messages, a no-op.
DELETE FROM executions
WHERE run_id = ANY(%s::text[]) AND NOT is_open
  AND NOT EXISTS (SELECT 1 FROM timers WHERE timers.run_id = executions.run_id)
RETURNING run_id;

-- name: purge_events
DELETE FROM events WHERE run_id = ANY(%s::text[]);

-- name: purge_tasks
DELETE FROM tasks WHERE run_id = ANY(%s::text[]);

-- name: purge_timers
DELETE FROM timers WHERE run_id = ANY(%s::text[]) AND key NOT LIKE 'msg:%%';

-- The three shapes of one transition, each one statement: a single round trip, and atomic
-- on its own (an implicit transaction). The first CTE writes the run's row; every other
-- part joins it, so if the version check finds no row, nothing at all is written and the
-- statement answers 0. Arrays carry the variable parts (events, tasks, timers), so each
-- shape is one fixed text that psycopg prepares once per connection. Keys deleted and
-- written in one transition are left out of the deletes by the caller: one statement must
-- not touch a row twice.

-- name: commit_start
WITH r AS (
    INSERT INTO executions (run_id, domain_id, workflow_id, type_name, type_version, start_ms,
                            close_ms, close_status, is_open, cancel_requested,
                            parent_workflow_id, parent_run_id, tags, version, state)
    VALUES (%(run_id)s, %(domain_id)s, %(workflow_id)s, %(type_name)s, %(type_version)s,
            %(start_ms)s, %(close_ms)s, %(close_status)s, %(is_open)s, %(cancel_requested)s,
            %(parent_workflow_id)s, %(parent_run_id)s, %(tags_json)s, %(version)s, %(state)s)
    RETURNING domain_id, start_ms, is_open
), tags AS (
    INSERT INTO execution_tags (run_id, tag, domain_id, is_open, start_ms, close_ms)
    SELECT DISTINCT %(run_id)s, t.tag, r.domain_id, r.is_open, r.start_ms, %(close_ms)s
    FROM r, unnest(%(tags)s::text[]) AS t (tag)
), ev AS (
    INSERT INTO events (run_id, event_id, body)
    SELECT %(run_id)s, e.event_id, e.body
    FROM r, unnest(%(event_ids)s::integer[], %(bodies)s::bytea[]) AS e (event_id, body)
), tm AS (
    INSERT INTO timers (run_id, key, due_ms)
    SELECT %(run_id)s, u.key, u.due_ms
    FROM r, unnest(%(timer_keys)s::text[], %(timer_dues)s::bigint[]) AS u (key, due_ms)
), nt AS (
    INSERT INTO tasks (domain_id, kind, task_list, priority, run_id, scheduled_event_id,
                       payload)
    SELECT r.domain_id, n.kind, n.task_list, n.priority, %(run_id)s, n.scheduled_event_id,
           n.payload
    FROM r, unnest(%(task_kinds)s::text[], %(task_lists)s::text[], %(task_priorities)s::integer[],
                   %(task_ids)s::integer[], %(task_payloads)s::bytea[])
         AS n (kind, task_list, priority, scheduled_event_id, payload)
    ON CONFLICT (run_id, kind, scheduled_event_id) DO NOTHING
    RETURNING scheduled_event_id, seq
)
SELECT (SELECT count(*) FROM r), ARRAY(SELECT ARRAY[scheduled_event_id, seq] FROM nt);

-- name: commit_step
-- A transition that leaves the run open changes none of the indexed columns of its row, so
-- the new row version can stay on its page (a HOT update): no index entry is written.
WITH r AS (
    UPDATE executions SET cancel_requested = %(cancel_requested)s, version = %(version)s,
                          state = %(state)s
    WHERE run_id = %(run_id)s AND version = %(expected_version)s
    RETURNING domain_id
), ev AS (
    INSERT INTO events (run_id, event_id, body)
    SELECT %(run_id)s, e.event_id, e.body
    FROM r, unnest(%(event_ids)s::integer[], %(bodies)s::bytea[]) AS e (event_id, body)
), dt AS (
    DELETE FROM tasks AS t
    USING r, unnest(%(done_kinds)s::text[], %(done_ids)s::integer[]) AS d (kind, scheduled_event_id)
    WHERE t.run_id = %(run_id)s AND t.kind = d.kind AND t.scheduled_event_id = d.scheduled_event_id
), ct AS (
    DELETE FROM timers AS t USING r
    WHERE t.run_id = %(run_id)s AND t.key = ANY(%(cleared)s::text[])
), tm AS (
    INSERT INTO timers (run_id, key, due_ms)
    SELECT %(run_id)s, u.key, u.due_ms
    FROM r, unnest(%(timer_keys)s::text[], %(timer_dues)s::bigint[]) AS u (key, due_ms)
    ON CONFLICT (run_id, key) DO UPDATE SET due_ms = excluded.due_ms
), nt AS (
    INSERT INTO tasks (domain_id, kind, task_list, priority, run_id, scheduled_event_id,
                       payload)
    SELECT r.domain_id, n.kind, n.task_list, n.priority, %(run_id)s, n.scheduled_event_id,
           n.payload
    FROM r, unnest(%(task_kinds)s::text[], %(task_lists)s::text[], %(task_priorities)s::integer[],
                   %(task_ids)s::integer[], %(task_payloads)s::bytea[])
         AS n (kind, task_list, priority, scheduled_event_id, payload)
    ON CONFLICT (run_id, kind, scheduled_event_id) DO NOTHING
    RETURNING scheduled_event_id, seq
)
SELECT (SELECT count(*) FROM r), ARRAY(SELECT ARRAY[scheduled_event_id, seq] FROM nt);

-- name: commit_close
-- A run that closes loses its tasks and timers, but for its outbox messages ("msg:" keys),
-- which are what it still owes others; its tags move to the closed indexes.
WITH r AS (
    UPDATE executions SET close_ms = %(close_ms)s, close_status = %(close_status)s,
                          is_open = %(is_open)s, cancel_requested = %(cancel_requested)s,
                          version = %(version)s, state = %(state)s
    WHERE run_id = %(run_id)s AND version = %(expected_version)s
    RETURNING domain_id
), tags AS (
    UPDATE execution_tags AS g SET is_open = FALSE, close_ms = %(close_ms)s
    FROM r WHERE g.run_id = %(run_id)s
), ev AS (
    INSERT INTO events (run_id, event_id, body)
    SELECT %(run_id)s, e.event_id, e.body
    FROM r, unnest(%(event_ids)s::integer[], %(bodies)s::bytea[]) AS e (event_id, body)
), dt AS (
    DELETE FROM tasks AS t USING r WHERE t.run_id = %(run_id)s
), ct AS (
    DELETE FROM timers AS t USING r
    WHERE t.run_id = %(run_id)s
      AND (t.key NOT LIKE 'msg:%%' OR t.key = ANY(%(cleared)s::text[]))
), tm AS (
    INSERT INTO timers (run_id, key, due_ms)
    SELECT %(run_id)s, u.key, u.due_ms
    FROM r, unnest(%(timer_keys)s::text[], %(timer_dues)s::bigint[]) AS u (key, due_ms)
    ON CONFLICT (run_id, key) DO UPDATE SET due_ms = excluded.due_ms
)
SELECT (SELECT count(*) FROM r), ARRAY[]::bigint[];
