package dev.rewind.benchmarks.rewind;

import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.benchmarks.workload.ItemAdded;
import dev.rewind.benchmarks.workload.OrderPlaced;
import dev.rewind.benchmarks.workload.OrderTotalsTable;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The order totals as a Rewind table projection (docs/adr/0016-table-projections.md): the handlers take the
 * batch's {@link Connection} and upsert {@code order_totals}; the checkpoint commits in the same transaction.
 * The same statements as Axon's {@code AxonOrderTotals}, through {@link OrderTotalsTable}.
 */
@Projection(RewindOrderTotals.NAME)
public final class RewindOrderTotals {
    /** The projection's name (and its lease's and checkpoint's). */
    public static final String NAME = "order_totals_table";

    /** A projection needs a no-argument constructor. */
    public RewindOrderTotals() {
    }

    @EventHandler
    void on(OrderPlaced e, Connection c) throws SQLException {
        OrderTotalsTable.placed(c, e);
    }

    @EventHandler
    void on(ItemAdded e, Connection c) throws SQLException {
        OrderTotalsTable.itemAdded(c, e);
    }

    /** @return nothing in memory: the view is the table */
    @QueryState
    public String state() {
        return "see the order_totals table";
    }
}
