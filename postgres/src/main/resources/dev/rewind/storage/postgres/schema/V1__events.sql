-- Rewind event store, schema version 1: the events table.
-- Runs inside the migration transaction, with search_path set to the store's schema.

CREATE TABLE rewind_events (
    -- Gap-free from 0, assigned under a transaction-level advisory lock (see PostgresStorage):
    -- the committed rows are always exactly positions 0 .. head-1.
    global_position   BIGINT      NOT NULL,
    stream_id         TEXT        NOT NULL,
    stream_version    BIGINT      NOT NULL,
    event_id          UUID        NOT NULL,
    type              TEXT        NOT NULL,
    schema_version    INT         NOT NULL,
    -- Never decreases along global_position; one instant per batch. PostgreSQL keeps microseconds,
    -- recorded_at_nanos keeps the nanoseconds below them (0..999) so an Instant reads back exactly.
    recorded_at       TIMESTAMPTZ NOT NULL,
    recorded_at_nanos SMALLINT    NOT NULL,
    -- The payload bytes exactly as given (bytea, not jsonb, which would normalise them).
    payload           BYTEA       NOT NULL,
    correlation_id    TEXT,
    causation_id      TEXT,
    metadata          JSONB       NOT NULL,
    -- The batch this row was appended in (its first position and its size): an exact retry must
    -- match a whole stored batch, no more and no less.
    batch_first       BIGINT      NOT NULL,
    batch_size        INT         NOT NULL,
    CONSTRAINT rewind_events_pkey PRIMARY KEY (global_position),
    CONSTRAINT rewind_events_stream_version_key UNIQUE (stream_id, stream_version),
    CONSTRAINT rewind_events_event_id_key UNIQUE (event_id),
    CONSTRAINT rewind_events_position_check CHECK (global_position >= 0),
    CONSTRAINT rewind_events_version_check CHECK (stream_version >= 0),
    CONSTRAINT rewind_events_nanos_check CHECK (recorded_at_nanos BETWEEN 0 AND 999)
);

CREATE INDEX rewind_events_type_idx ON rewind_events (type, global_position);
CREATE INDEX rewind_events_time_idx ON rewind_events (recorded_at, recorded_at_nanos, global_position);
