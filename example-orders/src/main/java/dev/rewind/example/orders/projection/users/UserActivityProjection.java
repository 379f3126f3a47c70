package dev.rewind.example.orders.projection.users;

import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.example.orders.domain.ItemAdded;
import dev.rewind.example.orders.domain.OrderCancelled;
import dev.rewind.example.orders.domain.OrderPaid;
import dev.rewind.example.orders.domain.OrderPlaced;
import dev.rewind.example.orders.domain.OrderShipped;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * {@code user_activity}: per user, how many orders they placed, paid, had shipped and cancelled, how
 * many items they added, and when they were last active.
 *
 * <p>The handlers show parameter resolution: the second parameter, an {@link Instant}, receives the
 * time the store recorded the event.
 */
@Projection("user_activity")
public class UserActivityProjection {
    private final Map<String, String> userOfOrder = new HashMap<>();
    private final Map<String, UserActivity> users = new TreeMap<>();

    /** Needed by the framework, which creates fresh instances to rebuild and to answer temporal queries. */
    public UserActivityProjection() {
    }

    @EventHandler
    void on(OrderPlaced e, Instant recordedAt) {
        userOfOrder.put(e.orderId(), e.userId());
        users.put(e.userId(), users.getOrDefault(e.userId(), UserActivity.none()).placed(recordedAt));
    }

    @EventHandler
    void on(ItemAdded e, Instant recordedAt) {
        update(e.orderId(), a -> a.added(e.quantity(), recordedAt));
    }

    @EventHandler
    void on(OrderPaid e, Instant recordedAt) {
        update(e.orderId(), a -> a.paid(recordedAt));
    }

    @EventHandler
    void on(OrderShipped e, Instant recordedAt) {
        update(e.orderId(), a -> a.shipped(recordedAt));
    }

    @EventHandler
    void on(OrderCancelled e, Instant recordedAt) {
        update(e.orderId(), a -> a.cancelled(recordedAt));
    }

    /** An event of an order this view never saw placed is ignored. */
    private void update(String orderId, UnaryOperator<UserActivity> change) {
        String user = userOfOrder.get(orderId);
        if (user != null) {
            users.computeIfPresent(user, (u, a) -> change.apply(a));
        }
    }

    /** @return activity by user id, sorted; an immutable copy */
    @QueryState
    public Map<String, UserActivity> state() {
        return Collections.unmodifiableMap(new TreeMap<>(users));
    }
}
