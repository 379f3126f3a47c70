package dev.rewind.storage.file;

import dev.rewind.spi.storage.StorageReads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.rewind.EventStoreException;
import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Arbitrary bytes as a segment: random garbage, and a sound segment with random bytes changed, cut short
 * or extended. The storage never hangs, never throws anything but its own exceptions, and never returns a
 * record that is not exactly one that was written at that position.
 */
class FileStorageRandomBytesTest {
    private static Path sound;
    private static byte[] soundBytes;
    private static List<StoredSerializedEvent> written;
    private static final ch.qos.logback.classic.Logger LOG =
            (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(FileStorage.class);

    @BeforeContainer
    static void writeASoundSegment() throws IOException {
        LOG.setLevel(ch.qos.logback.classic.Level.ERROR); // hundreds of truncated tails are expected here
        sound = Files.createTempDirectory("rewind-sound");
        written = new ArrayList<>();
        try (FileStorage storage = FileStorage.open(sound)) {
            for (int i = 0; i < 12; i++) {
                List<SerializedEvent> batch = new ArrayList<>();
                for (int k = 0; k <= i % 3; k++) {
                    batch.add(new SerializedEvent(UUID.randomUUID(), "T" + k, 1 + k,
                            ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8),
                            new Metadata(i % 2 == 0 ? "corr-" + i : null, "cause", Map.of("k", "v" + i))));
                }
                written.addAll(StorageReads.appended(storage, "s-" + (i % 4), ExpectedVersion.any(), batch, Clock.systemUTC()));
            }
        }
        soundBytes = Files.readAllBytes(sound.resolve(Segment.fileName(0)));
    }

    @AfterContainer
    static void deleteIt() throws IOException {
        LOG.setLevel(null);
        TestFiles.deleteTree(sound);
    }

    @Provide
    Arbitrary<byte[]> segments() {
        Arbitrary<byte[]> garbage = Arbitraries.bytes().array(byte[].class).ofMaxSize(2048);
        Arbitrary<byte[]> changed = Combinators.combine(
                Arbitraries.integers().between(0, soundBytes.length - 1).list().ofMinSize(1).ofMaxSize(4),
                Arbitraries.bytes().list().ofSize(4)).as((at, values) -> {
                    byte[] b = soundBytes.clone();
                    for (int i = 0; i < at.size(); i++) {
                        b[at.get(i)] = values.get(i);
                    }
                    return b;
                });
        Arbitrary<byte[]> cut = Arbitraries.integers().between(0, soundBytes.length)
                .map(n -> java.util.Arrays.copyOf(soundBytes, n));
        Arbitrary<byte[]> extended = Arbitraries.bytes().array(byte[].class).ofMaxSize(300).map(tail -> {
            byte[] b = java.util.Arrays.copyOf(soundBytes, soundBytes.length + tail.length);
            System.arraycopy(tail, 0, b, soundBytes.length, tail.length);
            return b;
        });
        return Arbitraries.oneOf(garbage, changed, cut, extended);
    }

    @Property(tries = 150)
    void the_reader_never_hangs_never_throws_a_foreign_exception_and_never_returns_a_damaged_record(
            @ForAll("segments") byte[] segment) throws IOException {
        Path dir = Files.createTempDirectory("rewind-random");
        try {
            Files.write(dir.resolve(Segment.fileName(0)), segment);
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                VerifyReport report = verify(dir);
                try (FileStorage storage = FileStorage.open(dir)) {
                    List<StoredSerializedEvent> all = StorageReads.page(storage, 0, Integer.MAX_VALUE);
                    assertThat(all).hasSize((int) storage.nextPosition());
                    for (StoredSerializedEvent r : all) {
                        assertSameAsWritten(r);
                        assertThat(StorageReads.stream(storage, r.streamId(), r.streamVersion(), 1)).singleElement()
                                .satisfies(FileStorageRandomBytesTest::assertSameAsWritten);
                    }
                    if (report != null) {
                        assertThat(report.ok()).as("verify found %s, open did not", report.problems()).isTrue();
                    }
                } catch (EventStoreException expected) {
                    // refusing a damaged segment is right; anything else fails the property
                    if (report != null) {
                        assertThat(report.ok()).as("open failed with %s, verify found nothing", expected).isFalse();
                    }
                }
            });
        } finally {
            TestFiles.deleteTree(dir);
        }
    }

    private static VerifyReport verify(Path dir) {
        try {
            return FileStorage.verify(dir);
        } catch (EventStoreException e) {
            return null;
        }
    }

    private static void assertSameAsWritten(StoredSerializedEvent r) {
        StoredSerializedEvent w = written.get((int) r.globalPosition());
        assertThat(r.eventId()).isEqualTo(w.eventId());
        assertThat(r.streamId()).isEqualTo(w.streamId());
        assertThat(r.streamVersion()).isEqualTo(w.streamVersion());
        assertThat(r.type()).isEqualTo(w.type());
        assertThat(r.schemaVersion()).isEqualTo(w.schemaVersion());
        assertThat(r.recordedAt()).isEqualTo(w.recordedAt());
        assertThat(r.payload()).isEqualTo(w.payload());
        assertThat(r.metadata()).isEqualTo(w.metadata());
    }

}
