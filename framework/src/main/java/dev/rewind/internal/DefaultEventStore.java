package dev.rewind.internal;

import dev.rewind.EventIds;
import dev.rewind.AppendResult;
import dev.rewind.EventListener;
import dev.rewind.EventStore;
import dev.rewind.EventStoreException;
import dev.rewind.ExpectedVersion;
import dev.rewind.NewEvent;
import dev.rewind.RawEvent;
import dev.rewind.StoredEvent;
import dev.rewind.Subscription;
import dev.rewind.spi.RewindObserver;
import dev.rewind.spi.storage.AppendNotifications;
import dev.rewind.spi.storage.AppendOutcome;
import dev.rewind.spi.storage.PayloadObjectStorage;
import dev.rewind.spi.storage.ReadDirection;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.storage.StoredSerializedEvent;
import dev.rewind.spi.storage.TypeIndex;
import dev.rewind.storage.kernel.ShareableValues;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link EventStore}: validates, encodes through the {@link EventPipeline}, and delivers to subscribers. */
public final class DefaultEventStore implements EventStore {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultEventStore.class);
    static final int PAGE = 1024;

    private final EventStorage storage;
    private final EventPipeline pipeline;
    private final Clock clock;
    private final Delivery delivery;
    private final boolean encodeBeforeAppend;
    private final PayloadObjectStorage.Decoder objectDecoder;
    /** Set when an asynchronous runner exists; null keeps the append path as it was. */
    private volatile RecentEvents recent;
    /** Null when nobody observes: the append path then costs one test of this final field, nothing more. */
    private final RewindObserver observer;
    private final java.util.concurrent.CopyOnWriteArrayList<Runnable> headListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param storage the storage
     * @param pipeline encode/decode
     * @param clock the clock that stamps recordedAt
     */
    public DefaultEventStore(EventStorage storage, EventPipeline pipeline, Clock clock) {
        this(storage, pipeline, clock, null);
    }

    /**
     * @param storage the storage
     * @param pipeline encode/decode
     * @param clock the clock that stamps recordedAt
     * @param observer told of each append, or null for none (then nothing is timed)
     */
    public DefaultEventStore(EventStorage storage, EventPipeline pipeline, Clock clock, RewindObserver observer) {
        this.observer = observer;
        this.storage = storage;
        this.pipeline = pipeline;
        this.clock = clock;
        this.encodeBeforeAppend = !(storage instanceof PayloadObjectStorage);
        this.objectDecoder = pipeline.objectDecoder();
        this.delivery = new Delivery(storage, pipeline, storage.nextPosition());
        if (storage instanceof AppendNotifications notifications) {
            notifications.onAppended(next -> {
                delivery.drain(next);
                headMoved();
            });
        }
    }

    /** @return the pipeline */
    public EventPipeline pipeline() {
        return pipeline;
    }

    /** @return the storage */
    public EventStorage storage() {
        return storage;
    }

    /** @return the clock that stamps recordedAt (the runtime's clock too) */
    public Clock clock() {
        return clock;
    }

    @Override
    public AppendResult append(String streamId, ExpectedVersion expected, List<?> events) {
        RewindObserver o = observer;
        if (o == null) {
            return appendEvents(streamId, expected, events);
        }
        long start = System.nanoTime();
        AppendResult result = appendEvents(streamId, expected, events);
        observed(o, result.events().size(), System.nanoTime() - start);
        return result;
    }

    /**
     * Tells the observer; what it throws is logged, not thrown: the events are stored, and the appender
     * must not believe otherwise because a metrics binding failed.
     */
    private static void observed(RewindObserver o, int events, long nanos) {
        try {
            o.appended(events, nanos);
        } catch (RuntimeException e) {
            LOG.warn("the observer {} failed on an append of {} events: {}", o, events, e.toString());
        }
    }

    private AppendResult appendEvents(String streamId, ExpectedVersion expected, List<?> events) {
        checkAppend(streamId, expected, events);
        List<SerializedEvent> records = new ArrayList<>(events.size());
        long ids = EventIds.reserve(events.size()); // a NewEvent brings its own id: its reserved one goes unused
        boolean idsGiven = false;
        for (Object e : events) {
            idsGiven |= e instanceof NewEvent;
            SerializedEvent record = pipeline.encode(Objects.requireNonNull(e, "event"), ids++);
            if (encodeBeforeAppend) {
                record.payload(); // JSON encoding happens here, in the caller's thread, not under the storage's lock
            }
            records.add(record);
        }
        return store(streamId, expected, records, idsGiven);
    }

    @Override
    public AppendResult appendRaw(String streamId, ExpectedVersion expected, List<RawEvent> events) {
        RewindObserver o = observer;
        if (o == null) {
            return appendRawEvents(streamId, expected, events);
        }
        long start = System.nanoTime();
        AppendResult result = appendRawEvents(streamId, expected, events);
        observed(o, result.events().size(), System.nanoTime() - start);
        return result;
    }

    private AppendResult appendRawEvents(String streamId, ExpectedVersion expected, List<RawEvent> events) {
        checkAppend(streamId, expected, events);
        List<SerializedEvent> records = new ArrayList<>(events.size());
        for (RawEvent e : events) {
            records.add(pipeline.encodeRaw(Objects.requireNonNull(e, "event")));
        }
        return store(streamId, expected, records, true);
    }

    private static void checkAppend(String streamId, ExpectedVersion expected, List<?> events) {
        if (streamId == null || streamId.isBlank()) {
            throw new IllegalArgumentException("stream id must not be null or blank");
        }
        Objects.requireNonNull(expected, "expected version");
        if (events == null || events.isEmpty()) {
            throw new IllegalArgumentException("append to '" + streamId + "' needs at least one event");
        }
    }

    /** @param idsGiven false when every id was reserved here, and so distinct by construction */
    private AppendResult store(String streamId, ExpectedVersion expected, List<SerializedEvent> records, boolean idsGiven) {
        if (idsGiven) {
            checkDistinctIds(records);
        }
        RecentEvents r = recent;
        if (r != null) {
            // in flight from before the storage shows the events until they are in the ring: a runner
            // that meets one of them missing waits for it rather than read and decode it again
            r.appendStarts();
        }
        AppendOutcome outcome;
        List<StoredEvent<?>> stored;
        try {
            outcome = storage.append(streamId, expected, records, clock);
            stored = fromGiven(streamId, outcome, records);
            if (r != null && !outcome.alreadyAppended()) {
                for (StoredEvent<?> e : stored) {
                    r.put(e);
                }
            }
        } finally {
            if (r != null) {
                r.appendEnds();
            }
        }
        if (!outcome.alreadyAppended()) {
            try {
                delivery.drain(outcome.firstPosition() + records.size(), stored);
            } catch (RuntimeException e) {
                // The batch is stored: failing the append now would make the caller believe it was not.
                LOG.warn("appended {} events to stream '{}' at global positions {}..{}, but delivering them to"
                                + " subscribers failed ({}); they are delivered with the next append or notification",
                        records.size(), streamId, outcome.firstPosition(), outcome.firstPosition() + records.size() - 1,
                        e.toString());
            }
            headMoved();
        }
        return new AppendResult(streamId, stored, outcome.alreadyAppended());
    }

    private static void checkDistinctIds(List<SerializedEvent> records) {
        int n = records.size();
        if (n > 16) {
            java.util.HashSet<UUID> ids = new java.util.HashSet<>();
            for (SerializedEvent r : records) {
                if (!ids.add(r.eventId())) {
                    throw duplicateInBatch(r.eventId());
                }
            }
            return;
        }
        for (int i = 1; i < n; i++) { // small batches (the usual case): no allocation
            UUID id = records.get(i).eventId();
            for (int j = 0; j < i; j++) {
                if (records.get(j).eventId().equals(id)) {
                    throw duplicateInBatch(id);
                }
            }
        }
    }

    private static dev.rewind.DuplicateEventIdException duplicateInBatch(UUID id) {
        return new dev.rewind.DuplicateEventIdException(id, "it appears twice in the same batch");
    }

    /**
     * The events of a batch, from what was given and the numbers the storage assigned (a batch is stored
     * whole, consecutively, under one instant; an exact retry's events are the ones given again): built
     * from the caller's payload objects where they are immutable values (see {@link ShareableValues}), so
     * that an append never decodes the JSON it was just given; others decoded from their bytes.
     */
    private List<StoredEvent<?>> fromGiven(String streamId, AppendOutcome outcome, List<SerializedEvent> given) {
        StoredEvent<?>[] out = new StoredEvent<?>[given.size()];
        long version = outcome.firstVersion();
        long position = outcome.firstPosition();
        Instant at = outcome.recordedAt();
        for (int i = 0; i < out.length; i++) {
            SerializedEvent r = given.get(i);
            Object payload = r.payloadObject();
            out[i] = ShareableValues.isShareable(payload)
                    ? new StoredEvent<>(r.eventId(), streamId, version + i, position + i, r.type(), r.schemaVersion(),
                            at, payload, r.metadata())
                    : pipeline.decode(StoredSerializedEvent.of(r, streamId, version + i, position + i, at));
        }
        return List.of(out);
    }

    private List<StoredEvent<?>> decodeAll(List<StoredSerializedEvent> records) {
        List<StoredEvent<?>> out = new ArrayList<>(records.size());
        for (StoredSerializedEvent r : records) {
            out.add(pipeline.decode(r));
        }
        return out;
    }

    @Override
    public List<StoredEvent<?>> readStream(String streamId, long fromVersion) {
        Objects.requireNonNull(streamId, "streamId");
        if (fromVersion < 0) {
            throw new IllegalArgumentException("fromVersion must be 0 or more, was " + fromVersion);
        }
        List<StoredEvent<?>> out = new ArrayList<>();
        long v = fromVersion;
        while (true) {
            List<StoredSerializedEvent> page = storage.readStream(streamId, v, PAGE, ReadDirection.FORWARD);
            for (StoredSerializedEvent r : page) {
                out.add(pipeline.decode(r));
            }
            if (page.size() < PAGE) {
                return List.copyOf(out);
            }
            v = page.get(page.size() - 1).streamVersion() + 1;
        }
    }

    @Override
    public List<StoredEvent<?>> readStream(String streamId, long fromVersion, int maxCount) {
        return readStream(streamId, fromVersion, maxCount, ReadDirection.FORWARD);
    }

    @Override
    public List<StoredEvent<?>> readStreamBackward(String streamId, long fromVersion, int maxCount) {
        return readStream(streamId, fromVersion, maxCount, ReadDirection.BACKWARD);
    }

    private List<StoredEvent<?>> readStream(String streamId, long fromVersion, int maxCount, ReadDirection direction) {
        Objects.requireNonNull(streamId, "streamId");
        if (fromVersion < 0) {
            throw new IllegalArgumentException("fromVersion must be 0 or more, was " + fromVersion);
        }
        if (maxCount < 0) {
            throw new IllegalArgumentException("maxCount must be 0 or more, was " + maxCount);
        }
        return List.copyOf(decodeAll(storage.readStream(streamId, fromVersion, maxCount, direction)));
    }

    @Override
    public long firstPositionAtOrAfter(Instant instant) {
        return storage.firstPositionAtOrAfter(Objects.requireNonNull(instant, "instant"));
    }

    @Override
    public long lastVersion(String streamId) {
        return storage.lastVersion(Objects.requireNonNull(streamId, "streamId"));
    }

    @Override
    public List<StoredEvent<?>> readAll(long fromPosition, int maxCount) {
        checkPosition(fromPosition, "fromPosition");
        if (maxCount < 0) {
            throw new IllegalArgumentException("maxCount must be 0 or more, was " + maxCount);
        }
        List<StoredEvent<?>> out = new ArrayList<>(Math.min(maxCount, PAGE));
        storage.read(fromPosition, fromPosition + maxCount < 0 ? Long.MAX_VALUE : fromPosition + maxCount,
                r -> out.add(pipeline.decode(r)));
        return List.copyOf(out);
    }

    @Override
    public List<StoredEvent<?>> readByType(String type, long fromPosition) {
        Objects.requireNonNull(type, "type");
        checkPosition(fromPosition, "fromPosition");
        if (storage instanceof TypeIndex index) {
            return List.copyOf(decodeAll(index.readByType(type, fromPosition, Integer.MAX_VALUE)));
        }
        List<StoredEvent<?>> out = new ArrayList<>();
        storage.read(fromPosition, Long.MAX_VALUE, r -> {
            if (r.type().equals(type)) {
                out.add(pipeline.decode(r));
            }
        });
        return List.copyOf(out);
    }

    @Override
    public List<StoredEvent<?>> readByTime(Instant start, Instant end) {
        if (start == null || end == null) {
            throw new IllegalArgumentException("time range bounds must not be null (start=" + start + ", end=" + end + ")");
        }
        if (!start.isBefore(end)) {
            return List.of();
        }
        long from = storage.firstPositionAtOrAfter(start);
        long to = storage.firstPositionAtOrAfter(end);
        List<StoredEvent<?>> out = new ArrayList<>();
        replay(from, to, out::add);
        return List.copyOf(out);
    }

    @Override
    public long replayFrom(UUID eventId, EventListener listener) {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(listener, "listener");
        long position = storage.positionOf(eventId);
        if (position < 0) {
            throw new EventStoreException("cannot replay from event " + eventId + ": no stored event has that id");
        }
        return replay(position, Long.MAX_VALUE, listener);
    }

    @Override
    public long replay(long fromPosition, long toPosition, EventListener listener) {
        checkPosition(fromPosition, "fromPosition");
        Objects.requireNonNull(listener, "listener");
        if (fromPosition >= toPosition) {
            return 0;
        }
        if (storage instanceof PayloadObjectStorage objects) {
            return objects.replayObjects(fromPosition, toPosition, objectDecoder, listener);
        }
        return storage.read(fromPosition, toPosition, record -> listener.on(pipeline.decode(record)));
    }

    private static void checkPosition(long position, String name) {
        if (position < 0) {
            throw new IllegalArgumentException(name + " must be 0 or more, was " + position);
        }
    }

    @Override
    public long positionOf(UUID eventId) {
        return storage.positionOf(Objects.requireNonNull(eventId, "eventId"));
    }

    @Override
    public long nextPosition() {
        return storage.nextPosition();
    }

    @Override
    public long firstPositionAfter(Instant instant) {
        Objects.requireNonNull(instant, "instant");
        return instant.equals(Instant.MAX) ? storage.nextPosition()
                : storage.firstPositionAtOrAfter(instant.plusNanos(1));
    }

    @Override
    public Subscription subscribe(EventListener listener) {
        return delivery.subscribe(Objects.requireNonNull(listener, "listener"));
    }

    private void headMoved() {
        for (Runnable r : headListeners) {
            r.run();
        }
    }

    /**
     * Tells a listener, on the appending thread, whenever events became readable (appended here, or, with
     * {@link AppendNotifications}, elsewhere); and keeps the latest events for {@link #recentOrRead}.
     *
     * @param listener must be quick and must not throw (it wakes a runner, nothing more)
     */
    public void onHeadMoved(Runnable listener) {
        if (recent == null) {
            recent = new RecentEvents();
        }
        headListeners.add(listener);
    }

    /**
     * Whether the event at that position is still on its way to the ring of recent events: not there yet
     * while an append of this process is in flight.
     *
     * @param position a position below {@link #nextPosition()}
     * @return true when a reader at that position would wait for an appender
     */
    public boolean coming(long position) {
        RecentEvents r = recent;
        return r != null && r.get(position) == null && r.appending();
    }

    /**
     * The events from {@code from} on, in order, at least one and at most up to {@code to}: those still
     * held from their append as they are; when one is missing, either a shorter run (an append of this
     * process is about to put it: the caller asks again) or the rest read and decoded from the storage.
     *
     * @param from the first position
     * @param to the end (exclusive), at most {@link #nextPosition()}
     * @param listener receives them
     */
    public void recentOrRead(long from, long to, EventListener listener) {
        RecentEvents r = recent;
        long p = from;
        if (r != null) {
            boolean waited = false;
            while (p < to) {
                StoredEvent<?> e = r.get(p);
                if (e == null) {
                    if (p > from && r.appending()) {
                        return; // what was found goes first; the caller comes back for the rest
                    }
                    if (!waited) {
                        waited = true; // once per call: an event appended elsewhere never comes to the ring
                        e = r.await(p);
                    }
                }
                if (e == null) {
                    /*
                     * Decode only what the ring lacks, up to the next event it holds: an appender held off
                     * the core between its write and its put leaves one hole, and reading the whole rest of
                     * the range for it decoded a batch that was still here, and a decode costs many times
                     * what taking an event from the ring does. A runner that fell behind the ring finds no
                     * next one and reads the range in one go.
                     */
                    long q = p + 1;
                    while (q < to && r.get(q) == null) {
                        q++;
                    }
                    replay(p, q, listener);
                    p = q;
                    continue;
                }
                listener.on(e);
                p++;
            }
        }
        if (p < to) {
            replay(p, to, listener);
        }
    }

    /** @return the position of the next event to be delivered to subscribers */
    public long deliveredUpTo() {
        return delivery.next();
    }
}
