package dev.rewind.example.orders.projection.revenue;

import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.example.orders.domain.OrderCancelled;
import dev.rewind.example.orders.domain.OrderPaid;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code revenue_by_currency}: the sum of the payments, in cents, per currency; a cancelled order that
 * had been paid is refunded (its payment is taken off again, so a currency may show 0).
 */
@Projection("revenue_by_currency")
public class RevenueProjection {
    private final Map<String, OrderPaid> paidOrders = new HashMap<>();
    private final Map<String, Long> revenue = new TreeMap<>();

    /** Needed by the framework, which creates fresh instances to rebuild and to answer temporal queries. */
    public RevenueProjection() {
    }

    @EventHandler
    void on(OrderPaid e) {
        paidOrders.put(e.orderId(), e);
        revenue.merge(e.currency(), e.amountCents(), Long::sum);
    }

    @EventHandler
    void on(OrderCancelled e) {
        OrderPaid refunded = paidOrders.remove(e.orderId());
        if (refunded != null) {
            revenue.merge(refunded.currency(), -refunded.amountCents(), Long::sum);
        }
    }

    /**
     * @param currency an ISO 4217 code
     * @return the revenue in that currency, in cents (0 when none)
     */
    public long revenue(String currency) {
        return revenue.getOrDefault(currency, 0L);
    }

    /** @return cents by currency code, sorted; an immutable copy */
    @QueryState
    public Map<String, Long> state() {
        return Collections.unmodifiableMap(new TreeMap<>(revenue));
    }
}
