package dev.rewind.internal;

import dev.rewind.AppendResult;
import dev.rewind.EventListener;
import dev.rewind.EventStore;
import dev.rewind.EventStoreException;
import dev.rewind.ExpectedVersion;
import dev.rewind.NewEvent;
import dev.rewind.RawEvent;
import dev.rewind.StoredEvent;
import dev.rewind.Subscription;
import dev.rewind.spi.AppendOutcome;
import dev.rewind.spi.EventRecord;
import dev.rewind.spi.EventStorage;
import dev.rewind.spi.StoredRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/** The {@link EventStore}: validates, encodes through the {@link EventPipeline}, and delivers to subscribers. */
public final class DefaultEventStore implements EventStore {
    static final int PAGE = 1024;

    private final EventStorage storage;
    private final EventPipeline pipeline;
    private final Clock clock;
    private final Delivery delivery;
    private final boolean encodeBeforeAppend;

    /**
     * @param storage the storage
     * @param pipeline encode/decode
     * @param clock the clock that stamps recordedAt
     */
    public DefaultEventStore(EventStorage storage, EventPipeline pipeline, Clock clock) {
        this.storage = storage;
        this.pipeline = pipeline;
        this.clock = clock;
        this.encodeBeforeAppend = !storage.keepsDecodedPayloads();
        this.delivery = new Delivery(storage, pipeline, storage.headPosition());
        storage.onAppended(head -> delivery.drain());
    }

    /** @return the pipeline */
    public EventPipeline pipeline() {
        return pipeline;
    }

    /** @return the storage */
    public EventStorage storage() {
        return storage;
    }

    @Override
    public AppendResult append(String streamId, ExpectedVersion expected, List<?> events) {
        checkAppend(streamId, expected, events);
        List<EventRecord> records = new ArrayList<>(events.size());
        long ids = EventIds.reserve(events.size()); // a NewEvent brings its own id: its reserved one goes unused
        boolean idsGiven = false;
        for (Object e : events) {
            idsGiven |= e instanceof NewEvent;
            EventRecord record = pipeline.encode(Objects.requireNonNull(e, "event"), ids++);
            if (encodeBeforeAppend) {
                record.payload(); // JSON encoding happens here, in the caller's thread, not under the storage's lock
            }
            records.add(record);
        }
        return store(streamId, expected, records, idsGiven);
    }

    @Override
    public AppendResult appendRaw(String streamId, ExpectedVersion expected, List<RawEvent> events) {
        checkAppend(streamId, expected, events);
        List<EventRecord> records = new ArrayList<>(events.size());
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
    private AppendResult store(String streamId, ExpectedVersion expected, List<EventRecord> records, boolean idsGiven) {
        if (idsGiven) {
            checkDistinctIds(records);
        }
        AppendOutcome outcome = storage.append(streamId, expected, records, clock);
        List<StoredEvent<?>> stored;
        if (outcome.alreadyAppended()) {
            stored = decodeAll(outcome.records());
        } else if (outcome.records() instanceof AppendOutcome.Written written && written.given() == records) {
            stored = fromGiven(written);
        } else {
            stored = withOwnPayloads(outcome.records(), records);
        }
        if (!outcome.alreadyAppended()) {
            delivery.drain(stored);
        }
        return new AppendResult(streamId, stored, outcome.alreadyAppended());
    }

    private static void checkDistinctIds(List<EventRecord> records) {
        int n = records.size();
        if (n > 16) {
            java.util.HashSet<UUID> ids = new java.util.HashSet<>();
            for (EventRecord r : records) {
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
     * The events just stored, built from the payload objects the caller gave where they are immutable
     * values (see {@link ImmutableValues}), so that a durable storage's append does not decode again
     * the JSON it was just given; other payloads are decoded from the stored bytes.
     */
    private List<StoredEvent<?>> withOwnPayloads(List<StoredRecord> stored, List<EventRecord> given) {
        StoredEvent<?>[] out = new StoredEvent<?>[stored.size()];
        for (int i = 0; i < out.length; i++) {
            StoredRecord r = stored.get(i);
            Object payload = given.get(i).decodedPayload();
            boolean own = payload != null && (r.decodedPayload() == payload // kept by an in-memory storage: immutable
                    || r.decodedPayload() == null && ImmutableValues.isShareable(payload));
            out[i] = own ? pipeline.bound(r, payload) : pipeline.decode(r);
        }
        return List.of(out);
    }

    /**
     * The events of a batch the storage stored as given: built from the caller's payload objects where
     * they are immutable values, without a stored record per event; others decoded from their bytes.
     */
    private List<StoredEvent<?>> fromGiven(AppendOutcome.Written written) {
        List<EventRecord> given = written.given();
        StoredEvent<?>[] out = new StoredEvent<?>[given.size()];
        String streamId = written.streamId();
        long version = written.firstVersion();
        long position = written.firstPosition();
        Instant at = written.recordedAt();
        for (int i = 0; i < out.length; i++) {
            EventRecord r = given.get(i);
            Object payload = r.decodedPayload();
            out[i] = ImmutableValues.isShareable(payload)
                    ? new StoredEvent<>(r.eventId(), streamId, version + i, position + i, r.type(), r.schemaVersion(), at,
                            payload, r.metadata())
                    : pipeline.decode(written.get(i));
        }
        return List.of(out);
    }

    private List<StoredEvent<?>> decodeAll(List<StoredRecord> records) {
        List<StoredEvent<?>> out = new ArrayList<>(records.size());
        for (StoredRecord r : records) {
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
            List<StoredRecord> page = storage.readStream(streamId, v, PAGE);
            for (StoredRecord r : page) {
                out.add(pipeline.decode(r));
            }
            if (page.size() < PAGE) {
                return List.copyOf(out);
            }
            v = page.get(page.size() - 1).streamVersion() + 1;
        }
    }

    @Override
    public long streamVersion(String streamId) {
        return storage.streamVersion(Objects.requireNonNull(streamId, "streamId"));
    }

    @Override
    public List<StoredEvent<?>> readAll(long fromPosition, int maxCount) {
        checkPosition(fromPosition, "fromPosition");
        if (maxCount < 0) {
            throw new IllegalArgumentException("maxCount must be 0 or more, was " + maxCount);
        }
        return List.copyOf(decodeAll(storage.readAll(fromPosition, maxCount)));
    }

    @Override
    public List<StoredEvent<?>> readByType(String type, long fromPosition) {
        Objects.requireNonNull(type, "type");
        checkPosition(fromPosition, "fromPosition");
        return List.copyOf(decodeAll(storage.readByType(type, fromPosition, Integer.MAX_VALUE)));
    }

    @Override
    public List<StoredEvent<?>> readByTime(Instant start, Instant end) {
        if (start == null || end == null) {
            throw new IllegalArgumentException("time range bounds must not be null (start=" + start + ", end=" + end + ")");
        }
        if (!start.isBefore(end)) {
            return List.of();
        }
        long from = storage.positionAtOrAfter(start);
        long to = storage.positionAtOrAfter(end);
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
        if (storage instanceof DirectReplay direct) {
            return direct.replayDirect(fromPosition, toPosition, pipeline, listener);
        }
        return storage.forEach(fromPosition, toPosition, record -> listener.on(pipeline.decode(record)));
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
    public long headPosition() {
        return storage.headPosition();
    }

    @Override
    public long positionAfter(Instant instant) {
        return storage.positionAfter(Objects.requireNonNull(instant, "instant"));
    }

    @Override
    public Subscription subscribe(EventListener listener) {
        return delivery.subscribe(Objects.requireNonNull(listener, "listener"));
    }

    /** @return the position of the next event to be delivered to subscribers */
    public long deliveredUpTo() {
        return delivery.next();
    }
}
