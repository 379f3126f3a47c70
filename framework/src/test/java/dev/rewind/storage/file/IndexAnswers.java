package dev.rewind.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.spi.storage.ReadDirection;
import dev.rewind.spi.storage.StorageReads;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What a file store must answer for the events it holds, whichever index (tables, runs, old or new) answers. */
final class IndexAnswers {
    private IndexAnswers() {
    }

    /** Every answer by position, by id, by stream (forward, backward, last version, ranges) and by time. */
    static void assertAnswers(FileStorage storage, List<StoredSerializedEvent> expected) {
        assertThat(storage.nextPosition()).isEqualTo(expected.size());
        List<StoredSerializedEvent> all = StorageReads.all(storage);
        assertThat(all).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            StoredSerializedEvent e = expected.get(i);
            StoredSerializedEvent a = all.get(i);
            assertThat(List.of(a.globalPosition(), a.streamId(), a.streamVersion(), a.eventId(), a.recordedAt()))
                    .as("position %s", i)
                    .isEqualTo(List.of(e.globalPosition(), e.streamId(), e.streamVersion(), e.eventId(),
                            e.recordedAt()));
            assertThat(a.payload()).isEqualTo(e.payload());
            assertThat(a.metadata()).as("metadata at %s", i).isEqualTo(e.metadata());
        }
        Map<String, List<StoredSerializedEvent>> streams = new LinkedHashMap<>();
        for (StoredSerializedEvent e : expected) {
            assertThat(storage.positionOf(e.eventId())).as("id %s", e.eventId()).isEqualTo(e.globalPosition());
            assertThat(storage.firstPositionAtOrAfter(e.recordedAt())).isLessThanOrEqualTo(e.globalPosition());
            assertThat(storage.firstPositionAtOrAfter(e.recordedAt().plusNanos(1))).isGreaterThan(e.globalPosition());
            streams.computeIfAbsent(e.streamId(), s -> new ArrayList<>()).add(e);
        }
        assertThat(storage.positionOf(UUID.nameUUIDFromBytes("absent".getBytes(StandardCharsets.UTF_8)))).isEqualTo(-1);
        assertThat(storage.lastVersion("no such stream")).isEqualTo(-1);
        for (Map.Entry<String, List<StoredSerializedEvent>> s : streams.entrySet()) {
            String stream = s.getKey();
            List<UUID> ids = s.getValue().stream().map(StoredSerializedEvent::eventId).toList();
            assertThat(storage.lastVersion(stream)).isEqualTo(ids.size() - 1);
            assertThat(storage.readStream(stream, 0, Integer.MAX_VALUE, ReadDirection.FORWARD))
                    .extracting(StoredSerializedEvent::eventId).containsExactlyElementsOf(ids);
            int from = ids.size() / 3;
            assertThat(storage.readStream(stream, from, 5, ReadDirection.FORWARD))
                    .extracting(StoredSerializedEvent::eventId)
                    .containsExactlyElementsOf(ids.subList(from, Math.min(ids.size(), from + 5)));
            List<UUID> backward = new ArrayList<>(ids.subList(Math.max(0, from - 4), from + 1));
            Collections.reverse(backward);
            assertThat(storage.readStream(stream, from, 5, ReadDirection.BACKWARD))
                    .extracting(StoredSerializedEvent::eventId).containsExactlyElementsOf(backward);
            assertThat(storage.readStream(stream, ids.size(), 5, ReadDirection.FORWARD)).isEmpty();
            assertThat(storage.readStream(stream, Long.MAX_VALUE, Integer.MAX_VALUE, ReadDirection.FORWARD)).isEmpty();
            assertThat(storage.readStream(stream, Long.MAX_VALUE, 2, ReadDirection.BACKWARD))
                    .extracting(StoredSerializedEvent::eventId)
                    .containsExactlyElementsOf(ids.size() == 1 ? ids : List.of(ids.get(ids.size() - 1), ids.get(ids.size() - 2)));
        }
    }
}
