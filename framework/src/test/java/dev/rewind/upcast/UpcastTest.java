package dev.rewind.upcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rewind.EventDecodingException;
import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.ProjectionStatus;
import dev.rewind.RawEvent;
import dev.rewind.Rewind;
import dev.rewind.StoredEvent;
import dev.rewind.annotation.Event;
import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.spi.EventUpcaster;
import dev.rewind.storage.memory.InMemoryStorage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Start-up validation of upcaster chains and renames, and what happens when reading old or too new records. */
class UpcastTest {

    /** Today's version: v3. v1 had {@code amount} (dollars, a string); v2 added cents; v3 added a method. */
    @Event(name = "OrderPaid", version = 3)
    record OrderPaid(String orderId, long amountCents, String method) {
    }

    /** What a newer release of the code would declare. */
    @Event(name = "OrderPaid", version = 4)
    record OrderPaidV4(String orderId, long amountCents, String method, String note) {
    }

    /** v1 -> v2: dollars as a decimal string to cents. */
    static final class V1ToV2 implements EventUpcaster {
        @Override
        public ObjectNode upcast(ObjectNode json) {
            long cents = new java.math.BigDecimal(json.remove("amount").asText()).movePointRight(2).longValueExact();
            return json.put("amountCents", cents);
        }
    }

    /** v2 -> v3: a default payment method. */
    static final class V2ToV3 implements EventUpcaster {
        @Override
        public ObjectNode upcast(ObjectNode json) {
            return json.put("method", "card");
        }
    }

    /** Another v1 -> v2, to clash with {@link V1ToV2}. */
    static final class OtherV1ToV2 implements EventUpcaster {
        @Override
        public ObjectNode upcast(ObjectNode json) {
            return json;
        }
    }

    private static Rewind.Builder builder() {
        return Rewind.builder().discoverPlugins(false).eventTypes(OrderPaid.class);
    }

    private static RawEvent raw(String type, int version, String json) {
        return new RawEvent(UUID.randomUUID(), type, version, json.getBytes(StandardCharsets.UTF_8), Metadata.EMPTY);
    }

    @Test
    void a_v1_record_is_read_as_the_current_version_through_the_chain() {
        try (Rewind rewind = builder().upcaster("OrderPaid", 1, new V1ToV2()).upcaster("OrderPaid", 2, new V2ToV3()).build()) {
            rewind.store().appendRaw("o-1", ExpectedVersion.noStream(),
                    List.of(raw("OrderPaid", 1, "{\"orderId\":\"o-1\",\"amount\":\"12.50\"}"),
                            raw("OrderPaid", 2, "{\"orderId\":\"o-1\",\"amountCents\":300}")));

            List<StoredEvent<?>> read = rewind.store().readStream("o-1", 0);
            List<Object> payloads = read.stream().<Object>map(StoredEvent::payload).toList();
            assertThat(payloads).containsExactly(new OrderPaid("o-1", 1250, "card"), new OrderPaid("o-1", 300, "card"));
            assertThat(read.stream().map(StoredEvent::schemaVersion).toList()).containsExactly(1, 2);
        }
    }

    @Test
    void a_gap_in_the_chain_stops_start_up() {
        assertThatThrownBy(() -> builder().upcaster("OrderPaid", 2, new V2ToV3()).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("no upcaster from OrderPaid v1 to v2: the chain for OrderPaid must cover every step from v1 to"
                        + " the current v3 (add an @Upcaster(type = \"OrderPaid\", from = 1))");
    }

    @Test
    void two_upcasters_for_one_step_stop_start_up() {
        assertThatThrownBy(() -> builder().upcaster("OrderPaid", 1, new V1ToV2()).upcaster("OrderPaid", 1, new OtherV1ToV2())
                .upcaster("OrderPaid", 2, new V2ToV3()).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("two upcasters for OrderPaid v1 to v2: " + V1ToV2.class.getName() + " (from Rewind.builder()) and "
                        + OtherV1ToV2.class.getName() + " (from Rewind.builder()) (keep exactly one per step)");
    }

    @Test
    void an_upcaster_beyond_the_current_version_stops_start_up() {
        assertThatThrownBy(() -> builder().upcaster("OrderPaid", 3, new V2ToV3()).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("upcaster " + V2ToV3.class.getName() + " (from Rewind.builder()) upcasts OrderPaid from v3 to v4,"
                        + " but the current version of OrderPaid is v3 (" + OrderPaid.class.getName()
                        + "): an upcaster's 'from' must be between 1 and 2");
    }

    @Test
    void an_upcaster_for_an_unknown_type_stops_start_up() {
        assertThatThrownBy(() -> builder().upcaster("PaymentTaken", 1, new V1ToV2()).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("upcaster " + V1ToV2.class.getName() + " (from Rewind.builder()) is for type 'PaymentTaken', which"
                        + " is not a registered event type (register the record annotated @Event(name = \"PaymentTaken\"),"
                        + " or name the type it was renamed to)");
    }

    @Test
    void a_rename_must_end_at_a_registered_type() {
        assertThatThrownBy(() -> builder().upcaster("OrderPaid", 1, new V1ToV2()).upcaster("OrderPaid", 2, new V2ToV3())
                .rename("PaymentTaken", "Payment").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("rename of stored type 'PaymentTaken' to 'Payment' (from Rewind.builder()) does not end at a"
                        + " registered event type");
    }

    @Test
    void a_renamed_type_keeps_reading_its_old_records() {
        try (Rewind rewind = builder().upcaster("OrderPaid", 1, new V1ToV2()).upcaster("OrderPaid", 2, new V2ToV3())
                .rename("PaymentTaken", "OrderPaid").build()) {
            rewind.store().appendRaw("o-2", ExpectedVersion.noStream(),
                    List.of(raw("PaymentTaken", 1, "{\"orderId\":\"o-2\",\"amount\":\"1\"}")));

            StoredEvent<?> read = rewind.store().readStream("o-2", 0).get(0);
            assertThat(read.type()).isEqualTo("OrderPaid");
            assertThat(read.payload()).isEqualTo(new OrderPaid("o-2", 100, "card"));
        }
    }

    @Test
    void an_upcaster_that_throws_names_type_version_event_and_position() {
        EventUpcaster broken = json -> {
            throw new IllegalArgumentException("amount missing");
        };
        RawEvent v1 = raw("OrderPaid", 1, "{\"orderId\":\"o-3\",\"amount\":\"2\"}");
        InMemoryStorage storage = new InMemoryStorage();
        Rewind earlier = builder().storage(storage).upcaster("OrderPaid", 1, new V1ToV2())
                .upcaster("OrderPaid", 2, new V2ToV3()).build(); // not closed: closing would close the shared storage
        earlier.store().appendRaw("o-3", ExpectedVersion.noStream(), List.of(v1));

        try (Rewind later = builder().storage(storage).upcaster("OrderPaid", 1, broken)
                .upcaster("OrderPaid", 2, new V2ToV3()).build()) {
            assertThatThrownBy(() -> later.store().readAll(0, 10))
                    .isInstanceOf(EventDecodingException.class)
                    .hasMessage("event " + v1.eventId() + " (type OrderPaid v1, stream 'o-3' version 0, global position 0)"
                            + " failed in upcaster " + broken.getClass().getName()
                            + " (v1 to v2): java.lang.IllegalArgumentException: amount missing");
        }
    }

    @Test
    void a_raw_append_that_an_upcaster_cannot_read_is_rejected_and_not_stored() {
        EventUpcaster broken = json -> {
            throw new IllegalArgumentException("amount missing");
        };
        try (Rewind rewind = builder().upcaster("OrderPaid", 1, broken).upcaster("OrderPaid", 2, new V2ToV3()).build()) {
            RawEvent v1 = raw("OrderPaid", 1, "{\"orderId\":\"o-3\"}");

            assertThatThrownBy(() -> rewind.store().appendRaw("o-3", ExpectedVersion.noStream(), List.of(v1)))
                    .hasMessageContaining("raw event " + v1.eventId() + " of type OrderPaid")
                    .hasMessageContaining("amount missing");
            assertThat(rewind.store().nextPosition()).isZero();
        }
    }

    /** Sums amounts. */
    @Projection("paid")
    static class Paid {
        private long cents;

        @EventHandler
        void on(OrderPaid e) {
            cents += e.amountCents();
        }

        @QueryState
        public long state() {
            return cents;
        }
    }

    @Test
    void a_record_written_by_a_newer_release_is_a_clear_read_error_and_stops_projections_before_it() {
        InMemoryStorage storage = new InMemoryStorage();
        Rewind newer = Rewind.builder().discoverPlugins(false).storage(storage).eventTypes(OrderPaidV4.class).build();
        RawEvent v4 = raw("OrderPaid", 4, "{\"orderId\":\"o-4\",\"amountCents\":5,\"method\":\"cash\",\"note\":\"x\"}");
        newer.store().appendRaw("o-4", ExpectedVersion.noStream(), List.of(v4));
        UUID id = v4.eventId();

        try (Rewind older = builder().storage(storage).upcaster("OrderPaid", 1, new V1ToV2())
                .upcaster("OrderPaid", 2, new V2ToV3()).projection(Paid.class).build()) {
            String expected = "event " + id + " (type OrderPaid v4, stream 'o-4' version 0, global position 0) is stored"
                    + " at schema version 4, but this code knows OrderPaid only up to v3 (" + OrderPaid.class.getName()
                    + "); it was written by a newer release";
            assertThatThrownBy(() -> older.store().readAll(0, 10)).isInstanceOf(EventDecodingException.class)
                    .hasMessage(expected);
            ProjectionStatus status = older.projections().status("paid");
            assertThat(status.failedAt()).isEqualTo(0);
            assertThat(status.error()).isEqualTo(EventDecodingException.class.getName() + ": " + expected);
            assertThat(older.projections().<Long>state("paid")).isZero();
        }
    }
}
