-- Rewind event store, schema version 3: plan the statements inside rewind_append for each call's
-- actual arguments. After five calls PL/pgSQL switches to a generic plan, and for this function the
-- generic plans cost the server about twice the time per append (measured: one writer, 10-event
-- appends, 2.3k -> 5.5k events/s with plan_cache_mode=force_custom_plan; BENCHMARKS.md, PostgreSQL).
ALTER FUNCTION rewind_append(BIGINT, TEXT, TEXT, BIGINT, UUID[], TEXT[], INT[], BYTEA[], TEXT[], TEXT[], JSONB[],
                             TIMESTAMPTZ, SMALLINT)
    SET plan_cache_mode = force_custom_plan;
