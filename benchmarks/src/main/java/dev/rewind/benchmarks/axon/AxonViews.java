package dev.rewind.benchmarks.axon;

import dev.rewind.benchmarks.workload.ItemAdded;
import dev.rewind.benchmarks.workload.OrderPaid;
import dev.rewind.benchmarks.workload.OrderPlaced;
import dev.rewind.benchmarks.workload.OrderViews;
import org.axonframework.eventhandling.EventHandler;

/** The two views as one annotated Axon event handler class. */
public final class AxonViews {
    private final OrderViews views = new OrderViews();

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

    /** @return the views */
    public OrderViews views() {
        return views;
    }
}
