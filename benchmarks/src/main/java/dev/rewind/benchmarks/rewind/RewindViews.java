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

    /** @return the views (live, not a copy: the benchmark reads them once it is done) */
    @QueryState
    public OrderViews views() {
        return views;
    }
}
