package dev.rewind.example.orders.upcasting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.rewind.Rewind;
import dev.rewind.StoredEvent;
import dev.rewind.example.orders.OrdersApp;
import dev.rewind.example.orders.domain.OrderPaid;
import dev.rewind.storage.memory.InMemoryStorage;
import org.junit.jupiter.api.Test;

/** Events stored by releases 1 and 2 read back, through the store, as today's v3 records. */
class OrderPaidUpcastingTest {

    @Test
    void old_payments_read_back_as_v3_and_keep_their_stored_version() {
        try (Rewind rewind = OrdersApp.rewind().storage(new InMemoryStorage()).build()) {
            assertThat(StoredFixtures.load(rewind.store(), "release-1-events.json")).isEqualTo(8);
            assertThat(StoredFixtures.load(rewind.store(), "release-2-events.json")).isEqualTo(6);

            assertThat(rewind.store().readByType("OrderPaid", 0))
                    .extracting(StoredEvent::schemaVersion, StoredEvent::payload)
                    .containsExactly(
                            tuple(1, new OrderPaid("r1-a", 2500, "USD", "card")),
                            tuple(1, new OrderPaid("r1-b", 999, "USD", "card")),
                            tuple(2, new OrderPaid("r2-a", 2100, "EUR", "card")),
                            tuple(2, new OrderPaid("r2-b", 5000, "USD", "card")));
        }
    }
}
