package dev.rewind.benchmarks.rewind;

import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.benchmarks.workload.OrderPaid;
import java.util.Map;
import java.util.TreeMap;

/** Revenue by currency alone: a projection whose state stays small (3 entries) however long the history. */
@Projection(RevenueOnly.NAME)
public final class RevenueOnly {
    /** The projection's name. */
    public static final String NAME = "revenue_only";
    private final Map<String, Long> revenue = new TreeMap<>();

    /** A projection needs a no-argument constructor. */
    public RevenueOnly() {
    }

    @EventHandler
    void on(OrderPaid e) {
        revenue.merge(e.currency(), e.amountCents(), Long::sum);
    }

    /** @return currency to cents, copied */
    @QueryState
    public Map<String, Long> state() {
        return Map.copyOf(revenue);
    }
}
