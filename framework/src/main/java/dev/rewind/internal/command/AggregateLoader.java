package dev.rewind.internal.command;

import dev.rewind.EventStore;
import dev.rewind.EventStoreException;
import dev.rewind.StoredEvent;
import dev.rewind.spi.SnapshotStorage;
import dev.rewind.spi.SnapshotStorage.Snapshot;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads an aggregate: from its latest usable snapshot plus the stream's tail, or from the whole stream;
 * and writes snapshots every N events.
 */
final class AggregateLoader {
    private static final Logger LOG = LoggerFactory.getLogger(AggregateLoader.class);

    private final EventStore store;
    private final SnapshotStorage snapshots;
    private final int snapshotEvery;
    private final StateCodec codec = new StateCodec();

    /**
     * An aggregate as loaded.
     *
     * @param aggregate the instance
     * @param version the version of the last event it includes, -1 for a new aggregate
     * @param fromSnapshot the version of the snapshot it started from, -1 when none was used
     * @param eventsApplied how many events were read and applied
     * @param <A> the class
     */
    record Loaded<A>(A aggregate, long version, long fromSnapshot, int eventsApplied) {
    }

    /**
     * @param store the event store
     * @param snapshots where snapshots are kept, or null for none
     * @param snapshotEvery write a snapshot when a command leaves the stream this many events or more past
     *     its last snapshot (0 for never)
     */
    AggregateLoader(EventStore store, SnapshotStorage snapshots, int snapshotEvery) {
        if (snapshotEvery < 0) {
            throw new IllegalArgumentException("snapshot interval must be 0 (never) or more, was " + snapshotEvery);
        }
        this.store = store;
        this.snapshots = snapshots;
        this.snapshotEvery = snapshots == null ? 0 : snapshotEvery;
    }

    /**
     * @param model the aggregate's model
     * @param streamId its stream
     * @param <A> the class
     * @return the aggregate with every event of its stream applied
     */
    <A> Loaded<A> load(AggregateModel<A> model, String streamId) {
        Optional<Loaded<A>> fromSnapshot = fromSnapshot(model, streamId);
        if (fromSnapshot.isPresent()) {
            Loaded<A> start = fromSnapshot.get();
            List<StoredEvent<?>> tail = store.readStream(streamId, start.version() + 1);
            boolean fits = tail.isEmpty() ? store.lastVersion(streamId) == start.version()
                    : tail.get(0).streamVersion() == start.version() + 1;
            if (fits) {
                return applyAll(model, streamId, start.aggregate(), start.version(), tail, start.version());
            }
            LOG.warn("snapshot of stream '{}' at version {} does not fit the stream (at {}): ignoring it",
                    streamId, start.version(), store.lastVersion(streamId));
        }
        return applyAll(model, streamId, model.newInstance(), -1, store.readStream(streamId, 0), -1);
    }

    private <A> Loaded<A> applyAll(AggregateModel<A> model, String streamId, A aggregate, long version,
                                   List<StoredEvent<?>> events, long snapshotVersion) {
        long v = version;
        for (StoredEvent<?> e : events) {
            try {
                model.apply(aggregate, e);
            } catch (RuntimeException ex) {
                throw new EventStoreException("cannot rebuild " + model.type().getSimpleName() + " from stream '"
                        + streamId + "': its @EventSourcingHandler threw on " + e.type() + " at version "
                        + e.streamVersion() + ": " + ex, ex);
            }
            v = e.streamVersion();
        }
        return new Loaded<>(aggregate, v, snapshotVersion, events.size());
    }

    private <A> Optional<Loaded<A>> fromSnapshot(AggregateModel<A> model, String streamId) {
        if (snapshots == null) {
            return Optional.empty();
        }
        Optional<Snapshot> found = snapshots.load(streamId);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Snapshot s = found.get();
        if (!s.stateVersion().equals(model.stateVersion())) {
            LOG.info("snapshot of stream '{}' was written by another version of the aggregate ({}, now {}):"
                    + " ignoring it", streamId, s.stateVersion(), model.stateVersion());
            return Optional.empty();
        }
        try {
            return Optional.of(new Loaded<>(codec.read(s.state(), model.type()), s.streamVersion(),
                    s.streamVersion(), 0));
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warn("snapshot of stream '{}' cannot be read into {}: ignoring it ({})", streamId,
                    model.type().getName(), e.toString());
            return Optional.empty();
        }
    }

    /**
     * After an append: applies the stored events to the aggregate and writes a snapshot when the stream
     * now holds at least the interval's number of events past the snapshot the load started from (or past
     * its start, when none was used: so a stale or unreadable snapshot is soon replaced). A failing snapshot is logged, never fails the command (its events
     * are already stored).
     *
     * @param model the model
     * @param streamId the stream
     * @param before the aggregate as loaded (modified in place)
     * @param appended the events just stored
     * @param <A> the class
     */
    <A> void afterAppend(AggregateModel<A> model, String streamId, Loaded<A> before,
                                List<StoredEvent<?>> appended) {
        if (snapshotEvery == 0 || appended.isEmpty()) {
            return;
        }
        long last = appended.get(appended.size() - 1).streamVersion();
        if (last - before.fromSnapshot() < snapshotEvery) {
            return; // fewer than N events past the snapshot this load started from (or past the start)
        }
        try {
            Loaded<A> after = applyAll(model, streamId, before.aggregate(), before.version(), appended, -1);
            snapshots.save(new Snapshot(streamId, after.version(), model.stateVersion(), codec.write(after.aggregate())));
        } catch (RuntimeException e) {
            LOG.warn("could not write the snapshot of stream '{}' at version {}: {}", streamId, last, e.toString());
        }
    }
}
