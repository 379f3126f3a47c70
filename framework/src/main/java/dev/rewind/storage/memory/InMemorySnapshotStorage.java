package dev.rewind.storage.memory;

import dev.rewind.spi.SnapshotStorage;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Snapshots kept in memory: the latest one per stream. Thread-safe. */
public final class InMemorySnapshotStorage implements SnapshotStorage {
    private final ConcurrentHashMap<String, Snapshot> latest = new ConcurrentHashMap<>();

    /** An empty snapshot storage. */
    public InMemorySnapshotStorage() {
    }

    @Override
    public void save(Snapshot snapshot) {
        Objects.requireNonNull(snapshot, "snapshot");
        // keep the newest: a slower writer with an older snapshot must not replace a newer one
        latest.merge(snapshot.streamId(), snapshot,
                (old, neu) -> neu.streamVersion() >= old.streamVersion() ? neu : old);
    }

    @Override
    public Optional<Snapshot> load(String streamId) {
        return Optional.ofNullable(latest.get(Objects.requireNonNull(streamId, "streamId")));
    }

    /** @return how many streams have a snapshot */
    public int size() {
        return latest.size();
    }
}
