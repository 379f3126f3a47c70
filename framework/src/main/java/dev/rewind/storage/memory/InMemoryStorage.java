package dev.rewind.storage.memory;

import dev.rewind.EventListener;
import dev.rewind.ExpectedVersion;
import dev.rewind.StoredEvent;
import dev.rewind.spi.storage.AppendOutcome;
import dev.rewind.spi.storage.PayloadObjectStorage;
import dev.rewind.spi.storage.ProjectionStoreHost;
import dev.rewind.spi.storage.ReadDirection;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.StoredSerializedEvent;
import dev.rewind.spi.storage.TypeIndex;
import dev.rewind.storage.kernel.AppendRules;
import dev.rewind.storage.kernel.RecordedAtClamp;
import dev.rewind.storage.kernel.ShareableValues;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * An {@link dev.rewind.spi.storage.EventStorage} held in memory: fast, and gone when the process ends.
 *
 * <p>It keeps the payload objects of events appended at their current version instead of their bytes
 * ({@link PayloadObjectStorage}), so neither append nor read encodes or decodes JSON, but only for
 * payloads that nobody can change afterwards (records whose components are all immutable values: see
 * {@link ShareableValues}); any other payload is kept as bytes and decoded on every read, so that
 * neither the appender nor a reader can change what another reader sees.
 *
 * <p>Events are kept in {@link Columns} (arrays indexed by global position) rather than one object per
 * event: an append allocates nothing that lives on besides what the caller gave, so a store of millions
 * of events costs the garbage collector nothing to keep. Appends are serialised by a write lock; reads
 * share a read lock, except the replay paths (see {@link #read}).
 */
public final class InMemoryStorage implements PayloadObjectStorage, TypeIndex, ProjectionStoreHost {
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Columns columns = new Columns();
    private final Streams streams = new Streams();
    private final RecordedAtClamp clamp = new RecordedAtClamp(null);
    private final InMemoryProjectionStore projectionStore = new InMemoryProjectionStore();
    private final AppendRules.Lookups lookups = new AppendRules.Lookups() {
        @Override
        public long positionOf(UUID eventId) {
            return columns.positionOf(eventId);
        }

        @Override
        public StoredSerializedEvent eventAt(long position) {
            return columns.event((int) position);
        }

        @Override
        public boolean batchStartsAt(long position) {
            return columns.batchStartsAt((int) position);
        }
    };

    /** An empty storage. */
    public InMemoryStorage() {
    }

    @Override
    public AppendOutcome append(String streamId, ExpectedVersion expected, List<SerializedEvent> events, Clock clock) {
        for (SerializedEvent e : events) {
            if (!ShareableValues.isShareable(e.payloadObject())) {
                e.payload(); // encode outside the lock; only immutable payloads are kept as objects
            }
        }
        lock.writeLock().lock();
        try {
            AppendOutcome retry = AppendRules.checkIds(streamId, events, lookups);
            if (retry != null) {
                return retry;
            }
            int stream = streams.find(streamId);
            long last = stream < 0 ? -1 : streams.count(stream) - 1;
            var conflict = AppendRules.conflict(streamId, expected, last);
            if (conflict != null) {
                throw conflict;
            }
            if (stream < 0) {
                stream = streams.create(streamId);
            }
            Instant now = clamp.next(clock);
            int first = columns.size();
            columns.append(events, streams.id(stream), (int) last + 1, now);
            streams.add(stream, first, events.size());
            return new AppendOutcome(last + 1, first, now, false);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public List<StoredSerializedEvent> readStream(String streamId, long fromVersion, int maxCount,
                                                  ReadDirection direction) {
        lock.readLock().lock();
        try {
            int stream = streams.find(streamId);
            int count = stream < 0 ? 0 : streams.count(stream);
            if (count == 0 || maxCount <= 0 || fromVersion < 0) {
                return List.of();
            }
            int from;
            int to;
            if (direction == ReadDirection.BACKWARD) {
                to = (int) Math.min(count - 1L, fromVersion) + 1;
                from = (int) Math.max(0, to - (long) maxCount);
            } else {
                if (fromVersion >= count) {
                    return List.of();
                }
                from = (int) fromVersion;
                to = (int) Math.min(count, (long) from + maxCount);
            }
            int[] positions = new int[to - from];
            streams.positions(stream, from, to, positions);
            StoredSerializedEvent[] out = new StoredSerializedEvent[positions.length];
            for (int i = 0; i < positions.length; i++) {
                int at = direction == ReadDirection.BACKWARD ? positions.length - 1 - i : i;
                out[i] = columns.event(positions[at]);
            }
            return List.of(out);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long lastVersion(String streamId) {
        lock.readLock().lock();
        try {
            int stream = streams.find(streamId);
            return stream < 0 ? -1 : streams.count(stream) - 1;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Visits without the lock, so that a visitor may append: every column entry below the size is
     * written before the size is (a volatile write), never changed afterwards, and kept by every later
     * copy of the columns, so a reader that reads the size first sees them all.
     */
    @Override
    public long read(long fromPosition, long toPosition, Consumer<StoredSerializedEvent> visitor) {
        int end = (int) Math.min(columns.size(), toPosition);
        for (int p = (int) Math.max(0, fromPosition); p < end; p++) {
            visitor.accept(columns.event(p));
        }
        return Math.max(0, end - Math.max(0, fromPosition));
    }

    /** Lock-free for the reason given at {@link #read}. */
    @Override
    public long replayObjects(long fromPosition, long toPosition, Decoder decoder, EventListener listener) {
        int end = (int) Math.min(columns.size(), toPosition);
        int from = (int) Math.max(0, fromPosition);
        Columns.Cursor c = columns.cursor();
        for (int p = from; p < end; p++) {
            Object payload = c.payloadObject(p);
            String type = c.type(p);
            if (payload != null && c.isCurrent(decoder, type, payload)) {
                listener.on(new StoredEvent<>(c.eventId(p), c.streamId(p), c.version(p), p, type, c.schemaVersion(p),
                        c.recordedAt(p), payload, c.metadata(p)));
            } else {
                listener.on(decoder.decode(columns.event(p)));
            }
        }
        return Math.max(0, end - from);
    }

    @Override
    public List<StoredSerializedEvent> readByType(String type, long fromPosition, int maxCount) {
        lock.readLock().lock();
        try {
            return columns.byType(type, fromPosition, maxCount);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long positionOf(UUID eventId) {
        lock.readLock().lock();
        try {
            return columns.positionOf(eventId);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long nextPosition() {
        return columns.size();
    }

    @Override
    public long firstPositionAtOrAfter(Instant instant) {
        lock.readLock().lock();
        try {
            return columns.search(instant);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        // nothing to release
    }

    /** @return the projection runtime's checkpoints, kept as long as this storage is */
    @Override
    public InMemoryProjectionStore projectionStore() {
        return projectionStore;
    }
}
