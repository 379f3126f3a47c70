package dev.rewind.benchmarks.workload;

import java.util.HashMap;
import java.util.Map;

/**
 * The two views of the workload, as plain state that both sides' annotated handlers update the same
 * way: order totals (orderId to the sum of quantity x unit price) and revenue by currency.
 */
public final class OrderViews {
    private final Map<String, Long> totals = new HashMap<>();
    private final Map<String, Long> revenue = new HashMap<>();

    /** @param e an order placed: its total starts at 0 */
    public void placed(OrderPlaced e) {
        totals.put(e.orderId(), 0L);
    }

    /** @param e an item added to an order */
    public void itemAdded(ItemAdded e) {
        totals.merge(e.orderId(), e.quantity() * e.unitPriceCents(), Long::sum);
    }

    /** @param e an order paid */
    public void paid(OrderPaid e) {
        revenue.merge(e.currency(), e.amountCents(), Long::sum);
    }

    /** @return orderId to total (live, not a copy) */
    public Map<String, Long> totals() {
        return totals;
    }

    /** @return currency to revenue (live, not a copy) */
    public Map<String, Long> revenue() {
        return revenue;
    }
}
