\set s random(1, 9000000000000000000)
BEGIN;
SELECT pg_advisory_xact_lock(42);
WITH h AS (SELECT coalesce((SELECT global_position + 1 FROM rewind_events ORDER BY global_position DESC LIMIT 1), 0) AS next),
     s AS (SELECT coalesce(max(stream_version), -1) AS base FROM rewind_events WHERE stream_id = 'order-' || :s),
     v(i, id, type, sv, payload, corr, caus, meta) AS (VALUES
       (0, gen_random_uuid(), 'ItemAdded', 1, '\x7b226f726465724964223a226f726465722d3132333435363738222c22736b75223a22736b752d3132222c227175616e74697479223a332c227072696365436e7473223a313939397d'::bytea, NULL::text, NULL::text, '{}'::jsonb),
       (1, gen_random_uuid(), 'ItemAdded', 1, '\x7b226f726465724964223a226f726465722d3132333435363738222c22736b75223a22736b752d3132222c227175616e74697479223a332c227072696365436e7473223a313939397d'::bytea, NULL, NULL, '{}'::jsonb),
       (2, gen_random_uuid(), 'ItemAdded', 1, '\x7b226f726465724964223a226f726465722d3132333435363738222c22736b75223a22736b752d3132222c227175616e74697479223a332c227072696365436e7473223a313939397d'::bytea, NULL, NULL, '{}'::jsonb),
       (3, gen_random_uuid(), 'ItemAdded', 1, '\x7b226f726465724964223a226f726465722d3132333435363738222c22736b75223a22736b752d3132222c227175616e74697479223a332c227072696365436e7473223a313939397d'::bytea, NULL, NULL, '{}'::jsonb),
       (4, gen_random_uuid(), 'ItemAdded', 1, '\x7b226f726465724964223a226f726465722d3132333435363738222c22736b75223a22736b752d3132222c227175616e74697479223a332c227072696365436e7473223a313939397d'::bytea, NULL, NULL, '{}'::jsonb),
       (5, gen_random_uuid(), 'ItemAdded', 1, '\x7b226f726465724964223a226f726465722d3132333435363738222c22736b75223a22736b752d3132222c227175616e74697479223a332c227072696365436e7473223a313939397d'::bytea, NULL, NULL, '{}'::jsonb),
       (6, gen_random_uuid(), 'ItemAdded', 1, '\x7b226f726465724964223a226f726465722d3132333435363738222c22736b75223a22736b752d3132222c227175616e74697479223a332c227072696365436e7473223a313939397d'::bytea, NULL, NULL, '{}'::jsonb),
       (7, gen_random_uuid(), 'ItemAdded', 1, '\x7b226f726465724964223a226f726465722d3132333435363738222c22736b75223a22736b752d3132222c227175616e74697479223a332c227072696365436e7473223a313939397d'::bytea, NULL, NULL, '{}'::jsonb),
       (8, gen_random_uuid(), 'ItemAdded', 1, '\x7b226f726465724964223a226f726465722d3132333435363738222c22736b75223a22736b752d3132222c227175616e74697479223a332c227072696365436e7473223a313939397d'::bytea, NULL, NULL, '{}'::jsonb),
       (9, gen_random_uuid(), 'ItemAdded', 1, '\x7b226f726465724964223a226f726465722d3132333435363738222c22736b75223a22736b752d3132222c227175616e74697479223a332c227072696365436e7473223a313939397d'::bytea, NULL, NULL, '{}'::jsonb)),
     ins AS (INSERT INTO rewind_events (global_position, stream_id, stream_version, event_id, type, schema_version, recorded_at, recorded_at_nanos, payload, correlation_id, causation_id, metadata, batch_first, batch_size)
             SELECT h.next + v.i, 'order-' || :s, s.base + 1 + v.i, v.id, v.type, v.sv, now(), 0, v.payload, v.corr, v.caus, v.meta, h.next, 10
             FROM h, s, v WHERE s.base = -1 AND NOT EXISTS (SELECT 1 FROM rewind_events e WHERE e.event_id IN (SELECT id FROM v))
             RETURNING global_position)
SELECT pg_notify('expchan', (SELECT max(global_position) + 1 FROM ins)::text), (SELECT count(*) FROM ins);
COMMIT;
