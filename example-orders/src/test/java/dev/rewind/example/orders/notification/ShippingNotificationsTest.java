package dev.rewind.example.orders.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doNothing;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoMoreInteractions;

import dev.rewind.Rewind;
import dev.rewind.command.CommandResult;
import dev.rewind.example.orders.OrdersApp;
import dev.rewind.example.orders.command.AddItem;
import dev.rewind.example.orders.command.PayOrder;
import dev.rewind.example.orders.command.PlaceOrder;
import dev.rewind.example.orders.command.ShipOrder;
import dev.rewind.projection.Decision;
import dev.rewind.projection.ParkedEvent;
import dev.rewind.storage.memory.InMemoryStorage;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The shipping notification, with the {@link Notifier} mocked: one call per shipped order with the
 * event id as idempotency key, the same key again when a failure is retried, parked when the notifier
 * stays down and sent by a retry, and nothing sent again by a projection rebuild.
 */
class ShippingNotificationsTest {
    private final Notifier notifier = mock(Notifier.class);
    private final InMemoryStorage storage = new InMemoryStorage();

    private Rewind start() {
        return OrdersApp.rewind(notifier).storage(storage).build();
    }

    private static UUID shipOrder(Rewind rewind, String orderId) {
        rewind.commands().send(new PlaceOrder(orderId, "ann", "EUR"));
        rewind.commands().send(new AddItem(orderId, "BOOK-42", 1, 1_500));
        rewind.commands().send(new PayOrder(orderId, 1_500, "card"));
        CommandResult shipped = rewind.commands().send(new ShipOrder(orderId, "DHL"));
        return shipped.events().get(0).eventId();
    }

    @Test
    void a_shipped_order_is_notified_once_with_its_event_id_as_idempotency_key_and_never_again_by_a_rebuild() {
        try (Rewind rewind = start()) {
            UUID key = shipOrder(rewind, "1001");

            verify(notifier, timeout(5_000)).orderShipped("1001", "DHL", key);
            rewind.projections().rebuild("order_totals");
            rewind.projections().rebuild("revenue_by_currency");
        }
        try (Rewind restarted = start()) {
            assertThat(restarted.projections().verify("shipping_notifications").ok()).isTrue();
        }
        verifyNoMoreInteractions(notifier);
    }

    @Test
    void a_failed_notification_is_tried_again_with_the_same_key() {
        doThrow(new IllegalStateException("mail service timed out")).doNothing()
                .when(notifier).orderShipped(anyString(), anyString(), any(UUID.class));
        try (Rewind rewind = start()) {
            UUID key = shipOrder(rewind, "1002");

            verify(notifier, timeout(5_000).times(2)).orderShipped("1002", "DHL", key);
            assertThat(rewind.projections().parked("shipping_notifications")).isEmpty();
        }
    }

    @Test
    void a_notifier_that_stays_down_parks_the_event_and_a_retry_sends_it() {
        doThrow(new IllegalStateException("mail service down"))
                .when(notifier).orderShipped(anyString(), anyString(), any(UUID.class));
        try (Rewind rewind = start()) {
            UUID key = shipOrder(rewind, "1003");
            verify(notifier, timeout(5_000).times(3)).orderShipped("1003", "DHL", key);
            awaitParked(rewind);
            assertThat(rewind.projections().parked("shipping_notifications")).singleElement()
                    .satisfies(p -> assertThat(p.eventId()).isEqualTo(key));

            doNothing().when(notifier).orderShipped(anyString(), anyString(), any(UUID.class));
            assertThat(rewind.projections().retryParked("shipping_notifications", "order-1003", "mail service back"))
                    .isEmpty();

            verify(notifier, timeout(5_000).times(4)).orderShipped(eq("1003"), eq("DHL"), eq(key));
            assertThat(rewind.projections().decisions("shipping_notifications")).extracting(Decision::kind)
                    .containsExactly(Decision.Kind.PARKED, Decision.Kind.RETRIED);
        }
    }

    private static void awaitParked(Rewind rewind) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (rewind.projections().parked("shipping_notifications").stream().noneMatch(ParkedEvent::failed)) {
            assertThat(System.nanoTime()).as("the notification is parked").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
