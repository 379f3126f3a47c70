-- Rewind event store, schema version 2: the append as one server-side function, so that an append
-- is one round trip and one commit, and the advisory lock is held only while the server works and
-- flushes (no client round trips inside the critical section).
--
-- Takes the store's transaction-level advisory lock, then (each statement below takes a fresh
-- snapshot, READ COMMITTED, so it sees every append committed before the lock was granted):
--   * any of the batch's ids already stored  -> status 'known_id', nothing written (the caller then
--     decides between exact retry and duplicate, under the lock, in its own transaction);
--   * expected version not matched           -> status 'conflict', stream_version = actual;
--   * otherwise the batch is inserted at positions max+1.., versions stream_version+1.., all with one
--     instant max(p_now, last stored instant), a notification is sent, status 'appended'.
-- p_expected: -2 any, -1 no stream, n exactly n.
CREATE FUNCTION rewind_append(
    p_lock BIGINT, p_channel TEXT, p_stream TEXT, p_expected BIGINT,
    p_ids UUID[], p_types TEXT[], p_schema_versions INT[], p_payloads BYTEA[],
    p_correlation_ids TEXT[], p_causation_ids TEXT[], p_metadata JSONB[],
    p_now TIMESTAMPTZ, p_now_nanos SMALLINT,
    OUT status TEXT, OUT stream_version BIGINT, OUT first_position BIGINT,
    OUT recorded_at TIMESTAMPTZ, OUT recorded_at_nanos SMALLINT)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    n INT := cardinality(p_ids);
    last_position BIGINT;
    last_at TIMESTAMPTZ;
    last_nanos SMALLINT;
BEGIN
    PERFORM pg_advisory_xact_lock(p_lock);
    IF EXISTS (SELECT 1 FROM rewind_events e WHERE e.event_id = ANY (p_ids)) THEN
        status := 'known_id';
        RETURN;
    END IF;
    SELECT coalesce(max(e.stream_version), -1) INTO stream_version
        FROM rewind_events e WHERE e.stream_id = p_stream;
    IF p_expected <> -2 AND p_expected <> stream_version THEN
        status := 'conflict';
        RETURN;
    END IF;
    SELECT e.global_position, e.recorded_at, e.recorded_at_nanos INTO last_position, last_at, last_nanos
        FROM rewind_events e ORDER BY e.global_position DESC LIMIT 1;
    first_position := coalesce(last_position + 1, 0);
    recorded_at := p_now;
    recorded_at_nanos := p_now_nanos;
    IF last_position IS NOT NULL AND (last_at, last_nanos) > (p_now, p_now_nanos) THEN
        recorded_at := last_at; -- a clock behind the last stored instant must not break time queries
        recorded_at_nanos := last_nanos;
    END IF;
    INSERT INTO rewind_events (global_position, stream_id, stream_version, event_id, type, schema_version,
                               recorded_at, recorded_at_nanos, payload, correlation_id, causation_id, metadata,
                               batch_first, batch_size)
    SELECT first_position + i - 1, p_stream, stream_version + i, p_ids[i], p_types[i], p_schema_versions[i],
           recorded_at, recorded_at_nanos, p_payloads[i], p_correlation_ids[i], p_causation_ids[i], p_metadata[i],
           first_position, n
    FROM generate_subscripts(p_ids, 1) AS i;
    PERFORM pg_notify(p_channel, (first_position + n)::TEXT);
    status := 'appended';
END
$$;
