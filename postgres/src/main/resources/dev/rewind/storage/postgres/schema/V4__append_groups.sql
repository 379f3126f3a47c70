-- Rewind event store, schema version 4: appends in groups (docs/adr/0010-postgres-appends.md).
--
-- One instance gathers the appends its threads make at the same time and sends them in one call of
-- rewind_append_group, which takes the store's advisory lock (the same lock as rewind_append, which
-- stays for instances of the previous release during a rolling upgrade), settles each batch on its
-- own, in the order given, inserts every accepted batch in one statement, notifies once and commits
-- once: one WAL flush for the whole group.
--
-- Each batch b (events p_ids[offset(b)+1 .. offset(b)+p_sizes[b]] of stream p_streams[b], expecting
-- p_expected[b]: -2 any, -1 no stream, n exactly n) gets one row, in order:
--   * 'known_id'  when one of its ids is stored, or p_repeated[b] (the caller found one of its ids in an
--                 earlier batch of the group): nothing of it is written; the caller settles it alone
--                 afterwards (exact retry or duplicate);
--   * 'conflict'  when the expected version does not match; stream_version = the actual one;
--   * 'appended'  with stream_version = the stream's last version before it, first_position, and the
--                 instant every batch of the group is recorded at: max(p_now, the last stored instant).
-- A batch sees the batches before it in the group as if they had been appended one after another:
-- p_previous[b] is the group's previous batch of the same stream (0: none), whose end is where b starts,
-- so two batches of one stream get consecutive versions, and the second one's expected version is
-- checked against the first one's end. The caller works out p_previous and p_repeated (a hash map and
-- a hash set over the group): in SQL they cost more than the rest of the checks together.
--
-- The function names its table unqualified: a caller whose search path is not the store's schema sets
-- it for the call's transaction (set_config(..., true)), as for rewind_append. A SET search_path clause
-- on the function would do it for every caller, at a cost measured higher than the checks.
CREATE FUNCTION rewind_append_group(
    p_lock BIGINT, p_channel TEXT,
    p_streams TEXT[], p_expected BIGINT[], p_sizes INT[], p_previous INT[], p_repeated BOOLEAN[],
    p_ids UUID[], p_types TEXT[], p_schema_versions INT[], p_payloads BYTEA[],
    p_correlation_ids TEXT[], p_causation_ids TEXT[], p_metadata JSONB[],
    p_now TIMESTAMPTZ, p_now_nanos SMALLINT)
RETURNS TABLE (status TEXT, stream_version BIGINT, first_position BIGINT,
               recorded_at TIMESTAMPTZ, recorded_at_nanos SMALLINT)
-- Its statements are planned for each call's arguments (see V3).
LANGUAGE plpgsql VOLATILE SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    batches INT := cardinality(p_streams);
    total INT := cardinality(p_ids);
    next_position BIGINT;
    start_position BIGINT;
    last_at TIMESTAMPTZ;
    last_nanos SMALLINT;
    at TIMESTAMPTZ := p_now;
    at_nanos SMALLINT := p_now_nanos;
    offsets INT[] := array_fill(0, ARRAY[batches]);
    batch_of INT[] := array_fill(0, ARRAY[total]);
    stored BIGINT[];                                             -- the stream's last stored version, per batch
    known BOOLEAN[];                                             -- an id of the batch is stored
    bases BIGINT[] := array_fill(NULL::BIGINT, ARRAY[batches]);  -- the stream's last version before the batch
    ends BIGINT[] := array_fill(NULL::BIGINT, ARRAY[batches]);   -- ... and after it (written or not)
    firsts BIGINT[] := array_fill(NULL::BIGINT, ARRAY[batches]); -- the first position of a written batch
    b INT;
    r INT;
    o INT := 0;
    base BIGINT;
BEGIN
    FOR b IN 1 .. batches LOOP
        IF p_previous[b] < 0 OR p_previous[b] >= b THEN
            RAISE EXCEPTION 'rewind_append_group: batch % names batch % as its previous one', b, p_previous[b];
        END IF;
        offsets[b] := o;
        FOR r IN o + 1 .. o + p_sizes[b] LOOP
            batch_of[r] := b;
        END LOOP;
        o := o + p_sizes[b];
    END LOOP;
    IF o <> total OR cardinality(p_expected) <> batches OR cardinality(p_previous) <> batches
            OR cardinality(p_repeated) <> batches THEN
        RAISE EXCEPTION 'rewind_append_group: % batches of sizes % do not describe the % events given',
            batches, p_sizes, total;
    END IF;
    PERFORM pg_advisory_xact_lock(p_lock);
    -- Every statement from here on takes a fresh snapshot (READ COMMITTED) after the lock was granted,
    -- so it sees every append committed before.
    SELECT e.global_position + 1, e.recorded_at, e.recorded_at_nanos INTO next_position, last_at, last_nanos
        FROM rewind_events e ORDER BY e.global_position DESC LIMIT 1;
    next_position := coalesce(next_position, 0);
    start_position := next_position;
    IF last_at IS NOT NULL AND (last_at, last_nanos) > (p_now, p_now_nanos) THEN
        at := last_at; -- a clock behind the last stored instant must not break time queries
        at_nanos := last_nanos;
    END IF;
    SELECT array_agg(EXISTS (SELECT 1 FROM rewind_events e
                             WHERE e.event_id = ANY (p_ids[offsets[k] + 1 : offsets[k] + p_sizes[k]])) ORDER BY k),
           array_agg((SELECT coalesce(max(e.stream_version), -1) FROM rewind_events e
                      WHERE e.stream_id = p_streams[k]) ORDER BY k)
        INTO known, stored
        FROM generate_series(1, batches) k;
    FOR b IN 1 .. batches LOOP
        base := CASE WHEN p_previous[b] = 0 THEN stored[b] ELSE ends[p_previous[b]] END;
        ends[b] := base;
        status := 'appended';
        stream_version := base;
        first_position := NULL;
        recorded_at := at;
        recorded_at_nanos := at_nanos;
        IF known[b] OR p_repeated[b] THEN
            status := 'known_id';
        ELSIF p_expected[b] <> -2 AND p_expected[b] <> base THEN
            status := 'conflict';
        ELSE
            first_position := next_position;
            firsts[b] := next_position;
            bases[b] := base;
            ends[b] := base + p_sizes[b];
            next_position := next_position + p_sizes[b];
        END IF;
        RETURN NEXT;
    END LOOP;
    IF next_position > start_position THEN
        INSERT INTO rewind_events (global_position, stream_id, stream_version, event_id, type, schema_version,
                                   recorded_at, recorded_at_nanos, payload, correlation_id, causation_id, metadata,
                                   batch_first, batch_size)
        SELECT firsts[u.b] + u.i - 1 - offsets[u.b], p_streams[u.b], bases[u.b] + u.i - offsets[u.b], u.id, u.type,
               u.schema_version, at, at_nanos, u.payload, u.correlation_id, u.causation_id, u.metadata,
               firsts[u.b], p_sizes[u.b]
        FROM unnest(p_ids, p_types, p_schema_versions, p_payloads, p_correlation_ids, p_causation_ids, p_metadata,
                    batch_of) WITH ORDINALITY
             AS u(id, type, schema_version, payload, correlation_id, causation_id, metadata, b, i)
        WHERE firsts[u.b] IS NOT NULL;
        -- Delivered on commit, in commit order, which under the lock is position order: the payload is
        -- the next position, and a listener may trust it without reading the table.
        PERFORM pg_notify(p_channel, next_position::TEXT);
    END IF;
END
$$;
