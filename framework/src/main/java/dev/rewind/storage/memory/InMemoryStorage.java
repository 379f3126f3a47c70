package dev.rewind.storage.memory;

import dev.rewind.ConcurrencyConflictException;
import dev.rewind.DuplicateEventIdException;
import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.spi.AppendOutcome;
import dev.rewind.spi.EventRecord;
import dev.rewind.spi.EventStorage;
import dev.rewind.spi.StoredRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * An {@link EventStorage} held in memory: fast, and gone when the process ends.
 *
 * <p>It keeps the payload objects of events appended at their current version instead of their bytes,
 * so neither append nor read encodes or decodes JSON (the bytes are encoded only if someone asks for
 * them) — but only for payloads that nobody can change afterwards (records whose components are all
 * immutable values: see {@link ImmutableValues}); any other payload is kept as bytes and decoded on
 * every read, so that neither the appender nor a reader can change what another reader sees.
 *
 * <p>Events are kept in columns (arrays indexed by global position) rather than one object per event:
 * an append allocates nothing that lives on, so a store of millions of events costs the garbage
 * collector nothing to keep, and about 70 bytes per event besides the payload objects. Reads build
 * {@link StoredRecord}s, which die young.
 *
 * <p>Appends are serialised by a write lock; reads share a read lock.
 */
public final class InMemoryStorage implements EventStorage {
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private int capacity = 1024;
    private long[] idHi = new long[capacity];
    private long[] idLo = new long[capacity];
    private String[] streamOf = new String[capacity];
    private int[] versionOf = new int[capacity];
    private String[] typeOf = new String[capacity];
    private int[] schemaOf = new int[capacity];
    private Instant[] recordedAt = new Instant[capacity];
    private Metadata[] metadataOf = new Metadata[capacity];
    /** The payload object, or null when only the bytes are kept. */
    private Object[] objects = new Object[capacity];
    /** The payload's bytes ({@code byte[]}), or what encodes the object into them ({@code Function}). */
    private Object[] bytesOrEncoder = new Object[capacity];
    /** Set at the position of each batch's first event: an exact retry must be one whole batch. */
    private final BitSet batchStarts = new BitSet();
    private volatile int size;
    private final Map<String, StreamIndex> streams = new HashMap<>();
    private final IdIndex ids = new IdIndex();
    private final Map<String, IntList> byType = new HashMap<>();
    private Instant lastRecordedAt = Instant.MIN;

    /** Per stream: its id (one shared instance) and the global positions of its records, in order. */
    private static final class StreamIndex {
        final String id;
        final IntList positions = new IntList();

        StreamIndex(String id) {
            this.id = id;
        }
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

    /** @return true: events appended at their current version are kept as objects, encoded only when asked */
    @Override
    public boolean keepsDecodedPayloads() {
        return true;
    }

    @Override
    public AppendOutcome append(String streamId, ExpectedVersion expected, List<EventRecord> records, Clock clock) {
        for (EventRecord r : records) {
            if (!cacheable(r)) {
                r.payload(); // encode outside the lock; only immutable payloads are kept as objects
            }
        }
        int first;
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
                stream = new StreamIndex(streamId);
                streams.put(streamId, stream);
            }
            Instant now = clock.instant();
            if (now.isBefore(lastRecordedAt)) {
                now = lastRecordedAt; // a clock that steps back must not break time queries
            }
            lastRecordedAt = now;
            first = size;
            ensureCapacity(first + records.size());
            int pos = first;
            int version = (int) last;
            for (EventRecord r : records) {
                put(pos, r, stream.id, ++version, now);
                stream.positions.add(pos);
                IntList ofType = byType.get(r.type());
                if (ofType == null) {
                    ofType = new IntList();
                    byType.put(r.type(), ofType);
                }
                ofType.add(pos);
                pos++;
            }
            batchStarts.set(first);
            size = pos;
        } finally {
            lock.writeLock().unlock();
        }
        return new AppendOutcome(records(first, first + records.size()), false);
    }

    private void put(int pos, EventRecord r, String streamId, int version, Instant now) {
        UUID id = r.eventId();
        idHi[pos] = id.getMostSignificantBits();
        idLo[pos] = id.getLeastSignificantBits();
        streamOf[pos] = streamId;
        versionOf[pos] = version;
        typeOf[pos] = r.type();
        schemaOf[pos] = r.schemaVersion();
        recordedAt[pos] = now;
        metadataOf[pos] = r.metadata();
        if (cacheable(r)) {
            objects[pos] = r.decodedPayload();
            byte[] bytes = r.payloadIfEncoded();
            bytesOrEncoder[pos] = bytes != null ? bytes : r.encoder();
        } else {
            bytesOrEncoder[pos] = r.payload();
        }
        ids.add(idHi[pos], idLo[pos], pos, idHi, idLo);
    }

    private static boolean cacheable(EventRecord r) {
        return r.decodedPayload() != null && ImmutableValues.isImmutable(r.decodedPayload().getClass());
    }

    /** Exact retry -> the original outcome; any other known id -> duplicate; all new -> null. */
    private AppendOutcome checkIds(String streamId, StreamIndex stream, List<EventRecord> records) {
        int first = positionOf(records.get(0).eventId().getMostSignificantBits(),
                records.get(0).eventId().getLeastSignificantBits());
        if (first >= 0 && stream != null && streamOf[first].equals(streamId) && isExactRetry(first, records)) {
            return new AppendOutcome(records(first, first + records.size()), true);
        }
        for (EventRecord r : records) {
            UUID id = r.eventId();
            int at = positionOf(id.getMostSignificantBits(), id.getLeastSignificantBits());
            if (at >= 0) {
                throw new DuplicateEventIdException(id, "already stored at global position " + at
                        + " (stream '" + streamOf[at] + "' version " + versionOf[at]
                        + "); nothing of this batch was written");
            }
        }
        return null;
    }

    private int positionOf(long hi, long lo) {
        return ids.get(hi, lo, idHi, idLo);
    }

    /** The batch is the same batch again: a whole stored batch (no more, no less), same ids, same stream, same content. */
    private boolean isExactRetry(int first, List<EventRecord> records) {
        int end = first + records.size();
        if (!batchStarts.get(first) || end > size || (end < size && !batchStarts.get(end))) {
            return false;
        }
        for (int i = 0; i < records.size(); i++) {
            int p = first + i;
            if (!streamOf[p].equals(streamOf[first]) || versionOf[p] != versionOf[first] + i
                    || !records.get(i).sameContentAs(record(p))) {
                return false;
            }
        }
        return true;
    }

    private void ensureCapacity(int needed) {
        if (needed <= capacity) {
            return;
        }
        int c = Math.max(needed, capacity * 2);
        idHi = Arrays.copyOf(idHi, c);
        idLo = Arrays.copyOf(idLo, c);
        streamOf = Arrays.copyOf(streamOf, c);
        versionOf = Arrays.copyOf(versionOf, c);
        typeOf = Arrays.copyOf(typeOf, c);
        schemaOf = Arrays.copyOf(schemaOf, c);
        recordedAt = Arrays.copyOf(recordedAt, c);
        metadataOf = Arrays.copyOf(metadataOf, c);
        objects = Arrays.copyOf(objects, c);
        bytesOrEncoder = Arrays.copyOf(bytesOrEncoder, c);
        capacity = c;
    }

    /** Builds the record at a position; call under the lock. */
    @SuppressWarnings("unchecked")
    private StoredRecord record(int p) {
        UUID id = new UUID(idHi[p], idLo[p]);
        Object object = objects[p];
        Object b = bytesOrEncoder[p];
        if (object != null && !(b instanceof byte[])) {
            return StoredRecord.encodedLazily(id, streamOf[p], versionOf[p], p, typeOf[p], schemaOf[p], recordedAt[p],
                    object, metadataOf[p], (Function<Object, byte[]>) b);
        }
        return new StoredRecord(id, streamOf[p], versionOf[p], p, typeOf[p], schemaOf[p], recordedAt[p],
                (byte[]) b, metadataOf[p], object);
    }

    /** Records at positions [from, to); call under the lock (or for positions already published). */
    private List<StoredRecord> records(int from, int to) {
        StoredRecord[] out = new StoredRecord[to - from];
        for (int p = from; p < to; p++) {
            out[p - from] = record(p);
        }
        return Collections.unmodifiableList(Arrays.asList(out));
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
                out[i - from] = record(stream.positions.values[i]);
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
            return records(from, (int) Math.min(size, (long) from + maxCount));
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
                out.add(record(list.values[i]));
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
            return positionOf(eventId.getMostSignificantBits(), eventId.getLeastSignificantBits());
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
                int c = recordedAt[mid].compareTo(instant);
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
