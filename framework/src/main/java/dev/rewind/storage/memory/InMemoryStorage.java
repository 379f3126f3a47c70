package dev.rewind.storage.memory;

import dev.rewind.ConcurrencyConflictException;
import dev.rewind.DuplicateEventIdException;
import dev.rewind.ExpectedVersion;
import dev.rewind.spi.AppendOutcome;
import dev.rewind.spi.EventRecord;
import dev.rewind.spi.EventStorage;
import dev.rewind.spi.StoredRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An {@link EventStorage} held in memory: fast, and gone when the process ends. It keeps the decoded
 * payload of events appended at their current version beside the bytes, so reads need no decoding,
 * but only for payloads that nobody can change afterwards (records whose components are all immutable
 * values: see {@link ImmutableValues}); any other payload is decoded from its bytes on every read, so
 * that neither the appender nor a reader can change what another reader sees.
 *
 * <p>Appends are serialised by a write lock; reads share a read lock.
 */
public final class InMemoryStorage implements EventStorage {
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private StoredRecord[] log = new StoredRecord[1024];
    /** {@code batchStart[p]}: the position of the first record of the batch that stored position p. */
    private int[] batchStart = new int[1024];
    private volatile int size;
    private final Map<String, StreamIndex> streams = new HashMap<>();
    private final IdIndex positions = new IdIndex();
    private final Map<String, IntList> byType = new HashMap<>();
    private Instant lastRecordedAt = Instant.MIN;

    /** Per stream: the global positions of its records, in stream order. */
    private static final class StreamIndex {
        final IntList positions = new IntList();
    }

    /** A growable int array (positions), cheaper than a list of boxed integers. */
    static final class IntList {
        int[] values = new int[4];
        int size;

        void add(int v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }
    }

    /** An empty storage. */
    public InMemoryStorage() {
    }

    @Override
    public AppendOutcome append(String streamId, ExpectedVersion expected, List<EventRecord> records, Clock clock) {
        for (EventRecord r : records) {
            if (!cacheable(r)) {
                r.payload(); // encode outside the lock; only immutable payloads are kept as objects
            }
        }
        List<StoredRecord> stored;
        lock.writeLock().lock();
        try {
            StreamIndex stream = streams.get(streamId);
            AppendOutcome retry = checkIds(streamId, stream, records);
            if (retry != null) {
                return retry;
            }
            long last = stream == null ? -1 : stream.positions.size - 1;
            if (!expected.matches(last)) {
                throw new ConcurrencyConflictException(streamId, expected, last);
            }
            if (stream == null) {
                stream = new StreamIndex();
                streams.put(streamId, stream);
            }
            Instant now = clock.instant();
            if (now.isBefore(lastRecordedAt)) {
                now = lastRecordedAt; // a clock that steps back must not break time queries
            }
            lastRecordedAt = now;
            stored = new ArrayList<>(records.size());
            int pos = size;
            ensureCapacity(pos + records.size());
            long version = last;
            for (EventRecord r : records) {
                StoredRecord s = StoredRecord.of(r, streamId, ++version, pos, now, cacheable(r));
                log[pos] = s;
                batchStart[pos] = size;
                stream.positions.add(pos);
                positions.add(r.eventId(), pos, log);
                IntList ofType = byType.get(r.type());
                if (ofType == null) {
                    ofType = new IntList();
                    byType.put(r.type(), ofType);
                }
                ofType.add(pos);
                stored.add(s);
                pos++;
            }
            size = pos;
        } finally {
            lock.writeLock().unlock();
        }
        return new AppendOutcome(stored, false);
    }

    private static boolean cacheable(EventRecord r) {
        return r.decodedPayload() != null && ImmutableValues.isImmutable(r.decodedPayload().getClass());
    }

    /** @return true: events appended at their current version are kept as objects, encoded only when asked */
    @Override
    public boolean keepsDecodedPayloads() {
        return true;
    }

    /** Exact retry -> the original outcome; any other known id -> duplicate; all new -> null. */
    private AppendOutcome checkIds(String streamId, StreamIndex stream, List<EventRecord> records) {
        int first = positions.get(records.get(0).eventId(), log);
        if (first >= 0 && stream != null) {
            StoredRecord firstStored = log[first];
            if (firstStored.streamId().equals(streamId) && isExactRetry(firstStored, records)) {
                List<StoredRecord> original = new ArrayList<>(records.size());
                for (int i = 0; i < records.size(); i++) {
                    original.add(log[first + i]);
                }
                return new AppendOutcome(original, true);
            }
        }
        for (EventRecord r : records) {
            int at = positions.get(r.eventId(), log);
            if (at >= 0) {
                StoredRecord s = log[at];
                throw new DuplicateEventIdException(r.eventId(), "already stored at global position " + at
                        + " (stream '" + s.streamId() + "' version " + s.streamVersion()
                        + "); nothing of this batch was written");
            }
        }
        return null;
    }

    /** The batch is the same batch again: a whole stored batch (no more, no less), same ids, same stream, same content. */
    private boolean isExactRetry(StoredRecord firstStored, List<EventRecord> records) {
        int basePos = (int) firstStored.globalPosition();
        int end = basePos + records.size();
        if (batchStart[basePos] != basePos || end > size || (end < size && batchStart[end] != end)) {
            return false;
        }
        for (int i = 0; i < records.size(); i++) {
            long p = basePos + i;
            if (p >= size) {
                return false;
            }
            StoredRecord s = log[(int) p];
            if (!s.streamId().equals(firstStored.streamId())
                    || s.streamVersion() != firstStored.streamVersion() + i
                    || !records.get(i).sameContentAs(s)) {
                return false;
            }
        }
        return true;
    }

    private void ensureCapacity(int needed) {
        if (needed > log.length) {
            log = Arrays.copyOf(log, Math.max(needed, log.length * 2));
            batchStart = Arrays.copyOf(batchStart, log.length);
        }
    }

    @Override
    public List<StoredRecord> readStream(String streamId, long fromVersion, int maxCount) {
        lock.readLock().lock();
        try {
            StreamIndex stream = streams.get(streamId);
            if (stream == null || fromVersion >= stream.positions.size) {
                return List.of();
            }
            int from = (int) fromVersion;
            int to = (int) Math.min(stream.positions.size, (long) from + maxCount);
            StoredRecord[] out = new StoredRecord[to - from];
            for (int i = from; i < to; i++) {
                out[i - from] = log[stream.positions.values[i]];
            }
            return Collections.unmodifiableList(Arrays.asList(out));
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long streamVersion(String streamId) {
        lock.readLock().lock();
        try {
            StreamIndex stream = streams.get(streamId);
            return stream == null ? -1 : stream.positions.size - 1;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public List<StoredRecord> readAll(long fromPosition, int maxCount) {
        lock.readLock().lock();
        try {
            if (fromPosition >= size || maxCount <= 0) {
                return List.of();
            }
            int from = (int) fromPosition;
            int to = (int) Math.min(size, (long) from + maxCount);
            return Collections.unmodifiableList(Arrays.asList(Arrays.copyOfRange(log, from, to)));
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public List<StoredRecord> readByType(String type, long fromPosition, int maxCount) {
        lock.readLock().lock();
        try {
            IntList list = byType.get(type);
            if (list == null) {
                return List.of();
            }
            int start = Arrays.binarySearch(list.values, 0, list.size, (int) Math.min(fromPosition, Integer.MAX_VALUE));
            if (start < 0) {
                start = -start - 1;
            }
            List<StoredRecord> out = new ArrayList<>();
            for (int i = start; i < list.size && out.size() < maxCount; i++) {
                out.add(log[list.values[i]]);
            }
            return Collections.unmodifiableList(out);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long positionOf(UUID eventId) {
        lock.readLock().lock();
        try {
            return positions.get(eventId, log);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long headPosition() {
        return size;
    }

    @Override
    public long positionAfter(Instant instant) {
        return search(instant, true);
    }

    @Override
    public long positionAtOrAfter(Instant instant) {
        return search(instant, false);
    }

    /** Binary search on recordedAt, which never decreases along the log. */
    private long search(Instant instant, boolean strictlyAfter) {
        lock.readLock().lock();
        try {
            int lo = 0;
            int hi = size;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                int c = log[mid].recordedAt().compareTo(instant);
                if (c < 0 || (strictlyAfter && c == 0)) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        // nothing to release
    }
}
