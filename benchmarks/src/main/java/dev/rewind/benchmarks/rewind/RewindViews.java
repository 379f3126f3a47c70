package dev.rewind.benchmarks.rewind;

import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.benchmarks.workload.ItemAdded;
import dev.rewind.benchmarks.workload.OrderPaid;
import dev.rewind.benchmarks.workload.OrderPlaced;
import dev.rewind.benchmarks.workload.OrderViews;

/** The two views as one Rewind projection (the same work as Axon's {@code AxonViews}). */
@Projection(RewindViews.NAME)
public final class RewindViews {
    /** The projection's name. */
    public static final String NAME = "order_views";
    private final OrderViews views = new OrderViews();

    /** A projection needs a no-argument constructor. */
    public RewindViews() {
    }

    @EventHandler
    void on(OrderPlaced e) {
        views.placed(e);
    }

    @EventHandler
    void on(ItemAdded e) {
        views.itemAdded(e);
    }

    @EventHandler
    void on(OrderPaid e) {
        views.paid(e);
    }

    /**
     * A typed query by key: what the temporal phase measures (a past state reads only this entry).
     *
     * @param orderId an order
     * @return its total, or null when the views have not seen it
     */
    public Long total(String orderId) {
        return views.totals().get(orderId);
    }

    /** @return the sum of every order's total (a query that needs the whole state) */
    public long sumOfTotals() {
        long sum = 0;
        for (long t : views.totals().values()) {
            sum += t;
        }
        return sum;
    }

    /** @return the views (live, not a copy: the benchmark reads them once it is done) */
    @QueryState
    public OrderViews views() {
        return views;
    }
}
