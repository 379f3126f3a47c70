-- Rewind event store, schema version 6: owner leases for owned projections and event processors
-- (docs/adr/0015-projection-ownership.md). Only adds a table: instances of the previous release never
-- read it and keep running every runner, saving unfenced, until they are stopped.
--
-- One row per owned runner. expires_at is set and compared with the server's clock_timestamp() only,
-- so the instances' clocks never decide who holds a lease. token increases on every grant (a take-over,
-- or the same owner acquiring again) and never goes back: a release expires the row instead of deleting
-- it. A fenced checkpoint save checks owner, token and expiry of this row in its own statement, locking
-- the row FOR SHARE, so a take-over waits for it or makes it change nothing.

CREATE TABLE rewind_leases (
    name            TEXT        NOT NULL,
    owner           TEXT        NOT NULL,
    token           BIGINT      NOT NULL,
    acquired_at     TIMESTAMPTZ NOT NULL,
    renewed_at      TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    CONSTRAINT rewind_leases_pkey PRIMARY KEY (name),
    CONSTRAINT rewind_leases_token_check CHECK (token >= 1)
);
