package dev.rewind.storage.memory;

import dev.rewind.spi.projection.Checkpoint;
import dev.rewind.spi.projection.HistoryEntry;
import dev.rewind.spi.projection.ProjectionStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A {@link ProjectionStore} in memory: checkpoints outlive a {@code Rewind} but not the process. The
 * in-memory event storage hosts one, so that a second {@code Rewind} over the same storage resumes where
 * the first one stopped, as it would over a file store.
 */
public final class InMemoryProjectionStore implements ProjectionStore {
    private final Map<String, Checkpoint> checkpoints = new ConcurrentHashMap<>();
    private final Map<String, NavigableMap<Long, Checkpoint>> history = new ConcurrentHashMap<>();

    /** An empty store. */
    public InMemoryProjectionStore() {
    }

    @Override
    public Optional<Checkpoint> load(String name) {
        return Optional.ofNullable(checkpoints.get(Objects.requireNonNull(name, "name")));
    }

    @Override
    public void save(Checkpoint checkpoint) {
        checkpoints.put(checkpoint.name(), checkpoint);
    }

    @Override
    public void saveHistory(Checkpoint pastState) {
        history.computeIfAbsent(pastState.name(), n -> new ConcurrentSkipListMap<>()).put(pastState.position(), pastState);
    }

    @Override
    public List<HistoryEntry> history(String name) {
        List<HistoryEntry> out = new ArrayList<>();
        for (Checkpoint c : history.getOrDefault(Objects.requireNonNull(name, "name"), new ConcurrentSkipListMap<>()).values()) {
            out.add(new HistoryEntry(c.position(), c.version(), c.snapshot() == null ? 0 : c.snapshot().length));
        }
        return out;
    }

    @Override
    public Optional<Checkpoint> loadHistory(String name, long position) {
        NavigableMap<Long, Checkpoint> kept = history.get(Objects.requireNonNull(name, "name"));
        return kept == null ? Optional.empty() : Optional.ofNullable(kept.get(position));
    }

    @Override
    public void deleteHistory(String name, long position) {
        NavigableMap<Long, Checkpoint> kept = history.get(Objects.requireNonNull(name, "name"));
        if (kept != null) {
            kept.remove(position);
        }
    }

    @Override
    public void delete(String name) {
        checkpoints.remove(name);
        history.remove(name);
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public String toString() {
        return "InMemoryProjectionStore[" + checkpoints.size() + " checkpoints]";
    }
}
