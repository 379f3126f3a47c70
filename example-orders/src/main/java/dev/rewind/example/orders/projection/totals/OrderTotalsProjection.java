package dev.rewind.example.orders.projection.totals;

import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.example.orders.domain.ItemAdded;
import dev.rewind.example.orders.domain.OrderCancelled;
import dev.rewind.example.orders.domain.OrderPaid;
import dev.rewind.example.orders.domain.OrderPlaced;
import dev.rewind.example.orders.domain.OrderShipped;
import dev.rewind.example.orders.projection.totals.OrderTotal.Status;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * {@code order_totals}: every order with its items, total and status, by order id.
 *
 * <p>An event for an order this view never saw placed is ignored: the view describes placed orders.
 */
@Projection("order_totals")
public class OrderTotalsProjection {
    private final Map<String, OrderTotal> orders = new TreeMap<>();

    /** Needed by the framework, which creates fresh instances to rebuild and to answer temporal queries. */
    public OrderTotalsProjection() {
    }

    @EventHandler
    void on(OrderPlaced e) {
        orders.put(e.orderId(), new OrderTotal(e.userId(), e.currency(), 0, 0, Status.PLACED));
    }

    @EventHandler
    void on(ItemAdded e) {
        update(e.orderId(), o -> o.withItems(e.quantity(), e.lineTotalCents()));
    }

    @EventHandler
    void on(OrderPaid e) {
        update(e.orderId(), o -> o.withStatus(Status.PAID));
    }

    @EventHandler
    void on(OrderShipped e) {
        update(e.orderId(), o -> o.withStatus(Status.SHIPPED));
    }

    @EventHandler
    void on(OrderCancelled e) {
        update(e.orderId(), o -> o.withStatus(Status.CANCELLED));
    }

    private void update(String orderId, UnaryOperator<OrderTotal> change) {
        orders.computeIfPresent(orderId, (id, o) -> change.apply(o));
    }

    /**
     * A query by key, for {@code projections().query(OrderTotalsProjection.class, v -> v.order("1001"))}:
     * it reads one entry under the runtime's read lock, where {@link #state()} copies them all.
     *
     * @param orderId an order id
     * @return that order, or empty when it was never placed
     */
    public Optional<OrderTotal> order(String orderId) {
        return Optional.ofNullable(orders.get(orderId));
    }

    /** @return the orders by id, sorted; an immutable copy */
    @QueryState
    public Map<String, OrderTotal> state() {
        return Collections.unmodifiableMap(new TreeMap<>(orders));
    }
}
