package dev.rewind.storage.memory;

import dev.rewind.ConcurrencyConflictException;
import dev.rewind.DuplicateEventIdException;
import dev.rewind.ExpectedVersion;
import dev.rewind.EventListener;
import dev.rewind.Metadata;
import dev.rewind.StoredEvent;
import dev.rewind.internal.DirectReplay;
import dev.rewind.internal.ImmutableValues;
import dev.rewind.internal.EventPipeline;
import dev.rewind.internal.EventTypeRegistry.EventType;
import dev.rewind.spi.AppendOutcome;
import dev.rewind.spi.EventRecord;
import dev.rewind.spi.EventStorage;
import dev.rewind.spi.StoredRecord;
import dev.rewind.storage.internal.IdIndex;
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
import java.util.function.Consumer;
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
 * <p>Events are kept in columns (arrays indexed by global position) rather than one object per event,
 * ids as two {@code long}s, instants as seconds and nanoseconds, streams in {@link Streams}: an append
 * allocates nothing that lives on besides what the caller gave (payloads, stream ids), so a store of
 * millions of events costs the garbage collector nothing to keep. Reads build {@link StoredRecord}s and
 * {@code StoredEvent}s, which die young.
 *
 * <p>Appends are serialised by a write lock; reads share a read lock.
 */
public final class InMemoryStorage implements EventStorage, DirectReplay {
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private int capacity = 1024;
    /**
     * The event ids, as two columns of longs rather than {@code UUID} objects: an append leaves nothing
     * behind that a young collection would have to copy (a million ids kept as objects cost a 60 ms pause).
     */
    private long[] msbOf = new long[capacity];
    private long[] lsbOf = new long[capacity];
    private String[] streamOf = new String[capacity];
    private int[] versionOf = new int[capacity];
    private String[] typeOf = new String[capacity];
    private int[] schemaOf = new int[capacity];
    /** When each event was recorded, as seconds and nanoseconds: no {@code Instant} kept per batch. */
    private long[] secondOf = new long[capacity];
    private int[] nanoOf = new int[capacity];
    private Metadata[] metadataOf = new Metadata[capacity];
    /** The payload object, or null when only the bytes are kept. */
    private Object[] objects = new Object[capacity];
    /** The payload's bytes ({@code byte[]}), or what encodes the object into them ({@code Function}). */
    private Object[] bytesOrEncoder = new Object[capacity];
    /** Set at the position of each batch's first event: an exact retry must be one whole batch. */
    private final BitSet batchStarts = new BitSet();
    private volatile int size;
    private final Streams streams = new Streams();
    private final IdIndex ids = new IdIndex();
    private final Map<String, IntList> byType = new HashMap<>();
    private Instant lastRecordedAt = Instant.MIN;

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
        String storedStreamId;
        long firstVersion;
        Instant now;
        lock.writeLock().lock();
        try {
            int stream = streams.find(streamId);
            AppendOutcome retry = checkIds(streamId, stream, records);
            if (retry != null) {
                return retry;
            }
            long last = stream < 0 ? -1 : streams.count(stream) - 1;
            if (!expected.matches(last)) {
                throw new ConcurrencyConflictException(streamId, expected, last);
            }
            if (stream < 0) {
                stream = streams.create(streamId);
            }
            now = clock.instant();
            if (now.isBefore(lastRecordedAt)) {
                now = lastRecordedAt; // a clock that steps back must not break time queries
            }
            lastRecordedAt = now;
            first = size;
            ensureCapacity(first + records.size());
            int pos = first;
            int version = (int) last;
            storedStreamId = streams.id(stream);
            firstVersion = last + 1;
            long second = now.getEpochSecond();
            int nano = now.getNano();
            String lastType = null;
            IntList ofType = null;
            for (EventRecord r : records) {
                put(pos, r, storedStreamId, ++version, second, nano);
                if (r.type() != lastType) {
                    lastType = r.type();
                    ofType = byType.get(lastType);
                    if (ofType == null) {
                        ofType = new IntList();
                        byType.put(lastType, ofType);
                    }
                }
                ofType.add(pos);
                pos++;
            }
            streams.add(stream, first, records.size());
            batchStarts.set(first);
            size = pos;
        } finally {
            lock.writeLock().unlock();
        }
        return AppendOutcome.written(records, storedStreamId, firstVersion, first, now);
    }

    private void put(int pos, EventRecord r, String streamId, int version, long second, int nano) {
        UUID id = r.eventId();
        msbOf[pos] = id.getMostSignificantBits();
        lsbOf[pos] = id.getLeastSignificantBits();
        streamOf[pos] = streamId;
        versionOf[pos] = version;
        typeOf[pos] = r.type();
        schemaOf[pos] = r.schemaVersion();
        secondOf[pos] = second;
        nanoOf[pos] = nano;
        metadataOf[pos] = r.metadata();
        if (cacheable(r)) {
            objects[pos] = r.decodedPayload();
            byte[] bytes = r.payloadIfEncoded();
            bytesOrEncoder[pos] = bytes != null ? bytes : r.encoder();
        } else {
            bytesOrEncoder[pos] = r.payload();
        }
        ids.add(id, pos);
    }

    private static boolean cacheable(EventRecord r) {
        return ImmutableValues.isShareable(r.decodedPayload());
    }

    /** Exact retry -> the original outcome; any other known id -> duplicate; all new -> null. */
    private AppendOutcome checkIds(String streamId, int stream, List<EventRecord> records) {
        int first = ids.get(records.get(0).eventId(), msbOf, lsbOf);
        if (first >= 0 && stream >= 0 && streamOf[first].equals(streamId) && isExactRetry(first, records)) {
            return new AppendOutcome(records(first, first + records.size()), true);
        }
        for (EventRecord r : records) {
            UUID id = r.eventId();
            int at = ids.get(id, msbOf, lsbOf);
            if (at >= 0) {
                throw new DuplicateEventIdException(id, "already stored at global position " + at
                        + " (stream '" + streamOf[at] + "' version " + versionOf[at]
                        + "); nothing of this batch was written");
            }
        }
        return null;
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
        msbOf = Arrays.copyOf(msbOf, c);
        lsbOf = Arrays.copyOf(lsbOf, c);
        streamOf = Arrays.copyOf(streamOf, c);
        versionOf = Arrays.copyOf(versionOf, c);
        typeOf = Arrays.copyOf(typeOf, c);
        schemaOf = Arrays.copyOf(schemaOf, c);
        secondOf = Arrays.copyOf(secondOf, c);
        nanoOf = Arrays.copyOf(nanoOf, c);
        metadataOf = Arrays.copyOf(metadataOf, c);
        objects = Arrays.copyOf(objects, c);
        bytesOrEncoder = Arrays.copyOf(bytesOrEncoder, c);
        capacity = c;
    }

    /** Builds the record at a position below {@code size} (see {@link #forEach} for why no lock is needed). */
    @SuppressWarnings("unchecked")
    private StoredRecord record(int p) {
        UUID id = new UUID(msbOf[p], lsbOf[p]);
        Object object = objects[p];
        Object b = bytesOrEncoder[p];
        if (object != null && !(b instanceof byte[])) {
            return StoredRecord.encodedLazily(id, streamOf[p], versionOf[p], p, typeOf[p], schemaOf[p], recordedAt(p),
                    object, metadataOf[p], (Function<Object, byte[]>) b);
        }
        return new StoredRecord(id, streamOf[p], versionOf[p], p, typeOf[p], schemaOf[p], recordedAt(p),
                (byte[]) b, metadataOf[p], object);
    }

    private Instant recordedAt(int p) {
        return Instant.ofEpochSecond(secondOf[p], nanoOf[p]);
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
            int stream = streams.find(streamId);
            if (stream < 0 || fromVersion >= streams.count(stream) || maxCount <= 0) {
                return List.of();
            }
            int from = (int) fromVersion;
            int to = (int) Math.min(streams.count(stream), (long) from + maxCount);
            int[] positions = new int[to - from];
            streams.positions(stream, from, to, positions);
            StoredRecord[] out = new StoredRecord[to - from];
            for (int i = 0; i < positions.length; i++) {
                out[i] = record(positions[i]);
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
            int stream = streams.find(streamId);
            return stream < 0 ? -1 : streams.count(stream) - 1;
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

    /**
     * Visits without the lock, so that a visitor may append: every column entry below {@code size} is
     * written before {@code size} is (a volatile write), never changed afterwards, and kept by every
     * later copy of the columns, so a reader that reads {@code size} first sees them all.
     */
    @Override
    public long forEach(long fromPosition, long toPosition, Consumer<StoredRecord> visitor) {
        int end = (int) Math.min(size, toPosition);
        for (int p = (int) fromPosition; p < end; p++) {
            visitor.accept(record(p));
        }
        return Math.max(0, end - fromPosition);
    }

    /** Not API: see {@link DirectReplay}; lock-free for the reason given at {@link #forEach}. */
    @Override
    public long replayDirect(long from, long to, EventPipeline pipeline, EventListener listener) {
        int end = (int) Math.min(size, to);
        String lastType = null;
        EventType known = null;
        Instant at = null; // the events of one batch share their instant: one object for them all
        String[] seenNames = new String[16];
        EventType[] seenTypes = new EventType[16];
        for (int p = (int) from; p < end; p++) {
            if (at == null || at.getEpochSecond() != secondOf[p] || at.getNano() != nanoOf[p]) {
                at = recordedAt(p);
            }
            Object payload = objects[p];
            String type = typeOf[p];
            if (type != lastType) { // a few types take turns: remember each by the identity of its name
                lastType = type;
                int slot = System.identityHashCode(type) & (seenNames.length - 1);
                if (seenNames[slot] == type) {
                    known = seenTypes[slot];
                } else {
                    known = pipeline.types().byStoredName(type);
                    seenNames[slot] = type;
                    seenTypes[slot] = known;
                }
            }
            if (payload != null && known != null && known.javaClass() == payload.getClass()
                    && known.name().equals(type)) {
                listener.on(new StoredEvent<>(new UUID(msbOf[p], lsbOf[p]), streamOf[p], versionOf[p], p, type, schemaOf[p], at,
                        payload, metadataOf[p]));
            } else {
                listener.on(pipeline.decode(record(p)));
            }
        }
        return Math.max(0, end - from);
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
            return ids.get(eventId, msbOf, lsbOf);
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
                int c = Long.compare(secondOf[mid], instant.getEpochSecond());
                if (c == 0) {
                    c = Integer.compare(nanoOf[mid], instant.getNano());
                }
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
