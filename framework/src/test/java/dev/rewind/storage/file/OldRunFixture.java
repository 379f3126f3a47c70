package dev.rewind.storage.file;

import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.spi.storage.SerializedEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * The events of the fixture store {@code src/test/resources/fixtures/rwrun001-store}: a store whose index
 * runs are in the first run format ({@code RWRUN001}, before stream entries carried record offsets),
 * written by the build of {@code b240021} running {@link #main} with this class as it is (it uses only the
 * public API, so the same events are known here without the old writer). Deterministic: fixed ids, streams
 * and clocks from seed {@value #SEED}.
 */
final class OldRunFixture {
    static final long SEED = 18;
    static final int CHECKPOINT_EVENTS = 16;
    static final int SEGMENT_SIZE = 8192;
    static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");

    /** One append: its stream, its events and the instant it was recorded at. */
    record Batch(String stream, List<SerializedEvent> events, Instant at) {
    }

    private OldRunFixture() {
    }

    /** @return the appends that made the fixture, in order */
    static List<Batch> batches() {
        Random random = new Random(SEED);
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < 110; i++) {
            int size = 1 + random.nextInt(3);
            List<SerializedEvent> events = new ArrayList<>();
            for (int k = 0; k < size; k++) {
                UUID id = UUID.nameUUIDFromBytes(("fixture " + i + "/" + k).getBytes(StandardCharsets.UTF_8));
                events.add(new SerializedEvent(id, "Noted", 1, ("{\"i\":" + i + ",\"k\":" + k + "}")
                        .getBytes(StandardCharsets.UTF_8), Metadata.correlatedBy("c" + i)));
            }
            out.add(new Batch("stream-" + random.nextInt(7), events, T0.plusMillis(3L * i)));
        }
        return out;
    }

    /** Writes the fixture store into the directory {@code args[0]} (which must not hold a store). */
    public static void main(String[] args) {
        try (FileStorage storage = FileStorage.builder(Path.of(args[0])).segmentSize(SEGMENT_SIZE)
                .checkpointEvents(CHECKPOINT_EVENTS).open()) {
            for (Batch b : batches()) {
                storage.append(b.stream(), ExpectedVersion.any(), b.events(), Clock.fixed(b.at(), ZoneOffset.UTC));
            }
        }
    }
}
