-- Rewind event store, schema version 5: the projection runtime's checkpoints and past states
-- (docs/adr/0014-postgres-projection-store.md). Only adds tables: instances of the previous release
-- never read them and keep appending as before.
--
-- A checkpoint is one row, replaced whole by one upsert (one statement, so one transaction): a crash
-- leaves the previous row or the new one. Parked events, skipped positions and decisions are part of
-- that unit, so they are columns of the row (JSON text, kept as written: the checksum covers the exact
-- text), not rows of their own tables that a save would have to delete and insert again.
--
-- checksum is a CRC32C over every other column but fencing_token, in the order PostgresProjectionStore
-- encodes them: a row changed behind the store's back (a bad restore, a hand edit, damaged pages) is
-- reported as corrupt when loaded, never restored as if sound.

CREATE TABLE rewind_checkpoints (
    name            TEXT        NOT NULL,
    version         TEXT        NOT NULL,
    origin          BIGINT      NOT NULL,
    position        BIGINT      NOT NULL,
    event_id        UUID,
    applied         BIGINT      NOT NULL,
    hash            BIGINT      NOT NULL,
    high_water      BIGINT      NOT NULL,
    parked          JSON        NOT NULL,
    skipped         JSON        NOT NULL,
    decisions       JSON        NOT NULL,
    -- The state as UTF-8 JSON, as bytes (jsonb would normalise them); null when the runner keeps none.
    snapshot        BYTEA,
    -- Microseconds here, the nanoseconds below them in saved_at_nanos, as for rewind_events.recorded_at.
    saved_at        TIMESTAMPTZ NOT NULL,
    saved_at_nanos  SMALLINT    NOT NULL,
    checksum        INT         NOT NULL,
    -- Unused so far: kept for the owner leases of issue 17 (item 3). The owner will write its lease's
    -- fencing token here, and the upsert will only replace a row whose token is not newer
    -- (ON CONFLICT ... DO UPDATE ... WHERE), so a stalled former owner's save changes nothing.
    fencing_token   BIGINT,
    CONSTRAINT rewind_checkpoints_pkey PRIMARY KEY (name),
    CONSTRAINT rewind_checkpoints_nanos_check CHECK (saved_at_nanos BETWEEN 0 AND 999)
);

-- Past states for temporal queries: immutable once written (a save at the same position replaces the
-- row whole), listed by ascending position.
CREATE TABLE rewind_projection_history (
    name            TEXT        NOT NULL,
    position        BIGINT      NOT NULL,
    version         TEXT        NOT NULL,
    origin          BIGINT      NOT NULL,
    event_id        UUID,
    applied         BIGINT      NOT NULL,
    hash            BIGINT      NOT NULL,
    high_water      BIGINT      NOT NULL,
    parked          JSON        NOT NULL,
    skipped         JSON        NOT NULL,
    decisions       JSON        NOT NULL,
    snapshot        BYTEA,
    saved_at        TIMESTAMPTZ NOT NULL,
    saved_at_nanos  SMALLINT    NOT NULL,
    checksum        INT         NOT NULL,
    CONSTRAINT rewind_projection_history_pkey PRIMARY KEY (name, position),
    CONSTRAINT rewind_projection_history_position_check CHECK (position >= 0),
    CONSTRAINT rewind_projection_history_nanos_check CHECK (saved_at_nanos BETWEEN 0 AND 999)
);
