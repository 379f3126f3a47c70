-- Rewind event store, schema version 7: the live instances, over which owned projections and event
-- processors spread (docs/adr/0018-spreading-owned-runners.md). Only adds a table: instances of the previous
-- release never read it and take any free lease, as before.
--
-- One row per instance that runs owned runners, with their names. It is renewed every third of expires_at -
-- renewed_at by the instance's heartbeat, beside its leases; expires_at is set and compared with the
-- server's clock_timestamp() only. A closing instance deletes its row; rows of instances that died are
-- deleted an hour after they expired, when an instance starts.

CREATE TABLE rewind_instances (
    instance_id     TEXT        NOT NULL,
    runners         TEXT[]      NOT NULL,
    joined_at       TIMESTAMPTZ NOT NULL,
    renewed_at      TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    CONSTRAINT rewind_instances_pkey PRIMARY KEY (instance_id)
);
