package dev.rewind.spi.storage.contract;

import static dev.rewind.spi.storage.contract.ContractFixtures.Added;
import static dev.rewind.spi.storage.contract.ContractFixtures.Placed;
import static dev.rewind.spi.storage.contract.ContractFixtures.Scheduled;
import static dev.rewind.spi.storage.contract.ContractFixtures.Shipped;
import static dev.rewind.spi.storage.contract.ContractFixtures.Tagged;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.rewind.AppendResult;
import dev.rewind.DuplicateEventIdException;
import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.NewEvent;
import dev.rewind.RawEvent;
import dev.rewind.StoredEvent;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Durability: everything appended reads back identical after the storage is closed and reopened, and
 * the reopened storage goes on numbering, recognising retries and clamping time where it left off.
 * Skipped for storages that keep nothing across a close ({@code reopen} returns null).
 */
public interface DurabilityContract extends ContractContext {
    @Test
    default void everything_appended_reads_back_identical_after_the_storage_is_reopened() {
        UUID firstId = UUID.randomUUID();
        List<NewEvent> firstBatch = List.of(
                new NewEvent(firstId, new Placed("order-1", 2), new Metadata("corr-1", "cmd-1", Map.of("user", "ann", "tenant", "t-1"))),
                new NewEvent(UUID.randomUUID(), new Added("order-1", "sku-\u00e9\u4e2d", Long.MAX_VALUE), Metadata.correlatedBy("corr-1")));
        store().append("order-1", ExpectedVersion.noStream(), firstBatch);
        clock().set(T0.plusMillis(1_500));
        store().appendRaw("order-1", ExpectedVersion.exactly(1), List.of(RawEvent.of("Shipped", 1, "{ \"id\": \"order-1\" }")));
        clock().set(T0); // steps back: clamped
        store().append("order-2", ExpectedVersion.noStream(), List.of(
                new Scheduled("order-2", T0.plusMillis(123), LocalDate.of(2024, 2, 29), Duration.ofMinutes(90)),
                new Tagged("order-2", List.of("a", "b"))));
        List<StoredEvent<?>> before = store().readAll(0, 100);
        List<Row> rowsBefore = rows(stored(0, 100));

        assumeThat(reopenStorage()).as("this storage keeps nothing across a close").isTrue();

        assertThat(store().readAll(0, 100)).isEqualTo(before);
        assertThat(rows(stored(0, 100))).isEqualTo(rowsBefore);
        assertThat(store().nextPosition()).isEqualTo(5);
        assertThat(store().lastVersion("order-1")).isEqualTo(2);
        assertThat(store().positionOf(firstId)).isZero();
        assertThat(store().readByType("Added", 0)).isEqualTo(List.of(before.get(1)));
        assertThat(store().readByTime(T0.plusMillis(1_500), T0.plusMillis(1_501))).isEqualTo(before.subList(2, 5));

        AppendResult retry = store().append("order-1", ExpectedVersion.noStream(), firstBatch);
        assertThat(retry.alreadyAppended()).isTrue();
        assertThat(retry.events()).isEqualTo(before.subList(0, 2));
        assertThatThrownBy(() -> store().append("x", ExpectedVersion.any(), List.of(new NewEvent(firstId, new Placed("x", 1), Metadata.EMPTY))))
                .isInstanceOf(DuplicateEventIdException.class);
        clock().set(T0);
        StoredEvent<?> next = store().append("order-1", ExpectedVersion.exactly(2), List.of(new Added("order-1", "x", 1))).events().get(0);
        assertThat(next.globalPosition()).isEqualTo(5);
        assertThat(next.streamVersion()).isEqualTo(3);
        assertThat(next.recordedAt()).as("clamped to the last recordedAt before the reopen").isEqualTo(T0.plusMillis(1_500));
    }

    /**
     * The stored form of an event, comparable with equals.
     *
     * @param eventId its id
     * @param streamId its stream
     * @param streamVersion its version
     * @param globalPosition its position
     * @param type its type
     * @param schemaVersion its schema version
     * @param recordedAt its instant
     * @param payload its payload bytes as text
     * @param metadata its metadata
     */
    record Row(UUID eventId, String streamId, long streamVersion, long globalPosition, String type,
                       int schemaVersion, Instant recordedAt, String payload, Metadata metadata) {
    }

    private static List<Row> rows(List<StoredSerializedEvent> records) {
        return records.stream().map(r -> new Row(r.eventId(), r.streamId(), r.streamVersion(), r.globalPosition(), r.type(),
                r.schemaVersion(), r.recordedAt(), new String(r.payload(), UTF_8), r.metadata())).toList();
    }
}
