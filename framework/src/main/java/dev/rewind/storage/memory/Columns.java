package dev.rewind.storage.memory;

import dev.rewind.Metadata;
import dev.rewind.spi.storage.PayloadObjectStorage;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.StoredSerializedEvent;
import dev.rewind.storage.kernel.IdIndex;
import dev.rewind.storage.kernel.ShareableValues;
import dev.rewind.storage.kernel.TimeIndex;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The events of an {@link InMemoryStorage}, one array per field, indexed by global position: ids as two
 * {@code long}s (a {@code UUID} object kept per event makes every young collection copy it), instants
 * as seconds and nanoseconds, payloads as the object (when shareable) or the bytes. Written under the
 * storage's write lock; an entry below {@link #size()} never changes, so it may be read without a lock
 * by whoever read the size first.
 */
final class Columns {
    private int capacity = 1024;
    private long[] msbOf = new long[capacity];
    private long[] lsbOf = new long[capacity];
    private String[] streamOf = new String[capacity];
    private int[] versionOf = new int[capacity];
    private String[] typeOf = new String[capacity];
    private int[] schemaOf = new int[capacity];
    private long[] secondOf = new long[capacity];
    private int[] nanoOf = new int[capacity];
    private Metadata[] metadataOf = new Metadata[capacity];
    /** The payload object, or null when only the bytes are kept. */
    private Object[] objects = new Object[capacity];
    /** The payload's bytes ({@code byte[]}), or what encodes the object into them ({@code Function}). */
    private Object[] bytesOrEncoder = new Object[capacity];
    /** Set at the position of each batch's first event: an exact retry must be one whole batch. */
    private final BitSet batchStarts = new BitSet();
    private final IdIndex ids = new IdIndex();
    private final Map<String, IntList> byType = new HashMap<>();
    private volatile int size;

    /** A growable int array (positions), cheaper than a list of boxed integers. */
    private static final class IntList {
        int[] values = new int[4];
        int size;

        void add(int v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }
    }

    int size() {
        return size;
    }

    /** Appends a batch (write lock held); the size moves last, publishing it. */
    void append(List<SerializedEvent> events, String streamId, int firstVersion, Instant at) {
        int first = size;
        ensureCapacity(first + events.size());
        long second = at.getEpochSecond();
        int nano = at.getNano();
        String lastType = null;
        IntList ofType = null;
        int pos = first;
        for (SerializedEvent e : events) {
            UUID id = e.eventId();
            msbOf[pos] = id.getMostSignificantBits();
            lsbOf[pos] = id.getLeastSignificantBits();
            streamOf[pos] = streamId;
            versionOf[pos] = firstVersion + (pos - first);
            typeOf[pos] = e.type();
            schemaOf[pos] = e.schemaVersion();
            secondOf[pos] = second;
            nanoOf[pos] = nano;
            metadataOf[pos] = e.metadata();
            if (ShareableValues.isShareable(e.payloadObject())) {
                objects[pos] = e.payloadObject();
                byte[] bytes = e.payloadIfEncoded();
                bytesOrEncoder[pos] = bytes != null ? bytes : e.encoder();
            } else {
                bytesOrEncoder[pos] = e.payload();
            }
            ids.add(id, pos);
            if (e.type() != lastType) {
                lastType = e.type();
                ofType = byType.computeIfAbsent(lastType, t -> new IntList());
            }
            ofType.add(pos);
            pos++;
        }
        batchStarts.set(first);
        size = pos;
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

    /** @return whether a batch begins at {@code p} (true at the size: the end of the last batch) */
    boolean batchStartsAt(int p) {
        return p == size || (p < size && batchStarts.get(p));
    }

    long positionOf(UUID id) {
        return ids.get(id, msbOf, lsbOf);
    }

    /** The event at a position below the size. */
    @SuppressWarnings("unchecked")
    StoredSerializedEvent event(int p) {
        UUID id = new UUID(msbOf[p], lsbOf[p]);
        Object object = objects[p];
        Object b = bytesOrEncoder[p];
        if (object != null) {
            return StoredSerializedEvent.withObject(id, streamOf[p], versionOf[p], p, typeOf[p], schemaOf[p],
                    recordedAt(p), object, b instanceof byte[] bytes ? bytes : null,
                    b instanceof byte[] ? null : (Function<Object, byte[]>) b, metadataOf[p]);
        }
        return new StoredSerializedEvent(id, streamOf[p], versionOf[p], p, typeOf[p], schemaOf[p], recordedAt(p),
                (byte[]) b, metadataOf[p]);
    }

    private Instant recordedAt(int p) {
        return Instant.ofEpochSecond(secondOf[p], nanoOf[p]);
    }

    List<StoredSerializedEvent> byType(String type, long fromPosition, int maxCount) {
        IntList list = byType.get(type);
        if (list == null) {
            return List.of();
        }
        int start = Arrays.binarySearch(list.values, 0, list.size, (int) Math.min(fromPosition, Integer.MAX_VALUE));
        if (start < 0) {
            start = -start - 1;
        }
        List<StoredSerializedEvent> out = new ArrayList<>();
        for (int i = start; i < list.size && out.size() < maxCount; i++) {
            out.add(event(list.values[i]));
        }
        return Collections.unmodifiableList(out);
    }

    int search(Instant instant) {
        return TimeIndex.search(secondOf, nanoOf, size, instant, false);
    }

    /** A reader of the columns as they are now, for one replay. */
    Cursor cursor() {
        return new Cursor();
    }

    /**
     * Reads the fields of one replay: the column arrays captured once, the events of a batch sharing one
     * {@code Instant}, and the type check answered from a small cache by the identity of the type's
     * name (a few types take turns).
     */
    final class Cursor {
        private final long[] msb = msbOf;
        private final long[] lsb = lsbOf;
        private final String[] stream = streamOf;
        private final int[] version = versionOf;
        private final String[] typeCol = typeOf;
        private final int[] schema = schemaOf;
        private final long[] second = secondOf;
        private final int[] nano = nanoOf;
        private final Metadata[] metadata = metadataOf;
        private final Object[] object = objects;
        private Instant at;
        private final String[] seenNames = new String[16];
        private final Class<?>[] seenClasses = new Class<?>[16];
        private final boolean[] seenCurrent = new boolean[16];

        Object payloadObject(int p) {
            return object[p];
        }

        String type(int p) {
            return typeCol[p];
        }

        UUID eventId(int p) {
            return new UUID(msb[p], lsb[p]);
        }

        String streamId(int p) {
            return stream[p];
        }

        int version(int p) {
            return version[p];
        }

        int schemaVersion(int p) {
            return schema[p];
        }

        Metadata metadata(int p) {
            return metadata[p];
        }

        Instant recordedAt(int p) {
            if (at == null || at.getEpochSecond() != second[p] || at.getNano() != nano[p]) {
                at = Instant.ofEpochSecond(second[p], nano[p]);
            }
            return at;
        }

        boolean isCurrent(PayloadObjectStorage.Decoder decoder, String type, Object payload) {
            int slot = System.identityHashCode(type) & (seenNames.length - 1);
            if (seenNames[slot] != type || seenClasses[slot] != payload.getClass()) {
                seenNames[slot] = type;
                seenClasses[slot] = payload.getClass();
                seenCurrent[slot] = decoder.isCurrent(type, payload.getClass());
            }
            return seenCurrent[slot];
        }
    }
}
