package dev.rewind.example.orders.web;

import dev.rewind.ConcurrencyConflictException;
import dev.rewind.ExpectedVersion;
import dev.rewind.spi.storage.AppendOutcome;
import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.storage.ReadDirection;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A storage where, on the streams a test names, another writer always appends first: every append
 * there is refused with the conflict the store would report. Everything else goes to the real storage
 * underneath. It lets a test see what a client gets when the command gateway's retries run out.
 */
final class ContestedStorage implements EventStorage {
    private final EventStorage real;
    private final Set<String> contested = ConcurrentHashMap.newKeySet();

    ContestedStorage(EventStorage real) {
        this.real = real;
    }

    void contest(String streamId) {
        contested.add(streamId);
    }

    @Override
    public AppendOutcome append(String streamId, ExpectedVersion expected, List<SerializedEvent> events, Clock clock) {
        if (contested.contains(streamId)) {
            throw new ConcurrencyConflictException(streamId, expected, real.lastVersion(streamId) + 1);
        }
        return real.append(streamId, expected, events, clock);
    }

    @Override
    public List<StoredSerializedEvent> readStream(String streamId, long fromVersion, int maxCount, ReadDirection direction) {
        return real.readStream(streamId, fromVersion, maxCount, direction);
    }

    @Override
    public long read(long fromPosition, long toPosition, Consumer<StoredSerializedEvent> visitor) {
        return real.read(fromPosition, toPosition, visitor);
    }

    @Override
    public long lastVersion(String streamId) {
        return real.lastVersion(streamId);
    }

    @Override
    public long positionOf(UUID eventId) {
        return real.positionOf(eventId);
    }

    @Override
    public long nextPosition() {
        return real.nextPosition();
    }

    @Override
    public long firstPositionAtOrAfter(Instant instant) {
        return real.firstPositionAtOrAfter(instant);
    }

    @Override
    public void close() {
        real.close();
    }
}
