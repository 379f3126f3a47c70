package dev.rewind.spi.storage.contract;

import static dev.rewind.spi.storage.contract.ContractFixtures.Added;
import static dev.rewind.spi.storage.contract.ContractFixtures.Placed;
import static dev.rewind.spi.storage.contract.ContractFixtures.Tagged;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.AppendResult;
import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.NewEvent;
import dev.rewind.StoredEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Immutability: neither the appender nor a reader can change what another reader sees (lists,
 * metadata, payload components).
 */
public interface ImmutabilityContract extends ContractContext {
    @Test
    default void the_lists_reads_return_cannot_be_modified() {
        AppendResult result = store().append("a", ExpectedVersion.noStream(), List.of(new Placed("a", 1), new Added("a", "x", 1)));
        StoredEvent<?> any = result.events().get(0);
        List<List<StoredEvent<?>>> lists = new ArrayList<>();
        lists.add(result.events());
        lists.add(store().readStream("a", 0));
        lists.add(store().readAll(0, 10));
        lists.add(store().readByType("Placed", 0));
        lists.add(store().readByTime(T0, T0.plusSeconds(1)));
        lists.add(store().readByTime(T0.plusSeconds(1), T0));

        for (List<StoredEvent<?>> list : lists) {
            assertThatThrownBy(() -> list.add(any)).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(list::clear).isInstanceOf(UnsupportedOperationException.class);
            if (!list.isEmpty()) {
                assertThatThrownBy(() -> list.set(0, any)).isInstanceOf(UnsupportedOperationException.class);
                assertThatThrownBy(() -> list.remove(0)).isInstanceOf(UnsupportedOperationException.class);
            }
        }
        assertThat(store().readAll(0, 10)).hasSize(2);
    }

    @Test
    default void neither_the_appender_nor_a_reader_can_change_a_stored_events_metadata() {
        Map<String, String> values = new HashMap<>(Map.of("user", "ann"));
        store().append("a", ExpectedVersion.noStream(),
                List.of(new NewEvent(UUID.randomUUID(), new Placed("a", 1), new Metadata("corr", "cause", values))));
        values.put("user", "mallory");
        values.put("extra", "x");

        Map<String, String> read = store().readAll(0, 1).get(0).metadata().values();
        assertThatThrownBy(() -> read.put("user", "mallory")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> read.remove("user")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(read::clear).isInstanceOf(UnsupportedOperationException.class);
        assertThat(store().readStream("a", 0).get(0).metadata()).isEqualTo(new Metadata("corr", "cause", Map.of("user", "ann")));
    }

    @Test
    default void neither_the_appender_nor_a_reader_can_change_a_stored_payload_through_a_mutable_component() {
        List<String> tags = new ArrayList<>(List.of("red"));
        store().append("a", ExpectedVersion.noStream(), List.of(new Tagged("a", tags)));
        tags.add("appender-was-here");

        List<String> readTags = ((Tagged) store().readAll(0, 1).get(0).payload()).tags();
        try {
            readTags.add("reader-was-here");
        } catch (UnsupportedOperationException immutable) {
            // also fine: the read gave an unmodifiable list
        }

        assertThat(store().readStream("a", 0)).extracting(e -> (Object) e.payload()).containsExactly(new Tagged("a", List.of("red")));
    }
}
