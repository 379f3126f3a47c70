package dev.rewind.benchmarks.axon;

import dev.rewind.benchmarks.workload.ItemAdded;
import dev.rewind.benchmarks.workload.OrderPlaced;
import dev.rewind.benchmarks.workload.OrderTotalsTable;
import java.sql.Connection;
import java.sql.SQLException;
import org.axonframework.eventhandling.EventHandler;

/**
 * The order totals in a PostgreSQL table, as an annotated Axon event handler: the same upserts as Rewind's
 * {@code RewindOrderTotals} ({@link OrderTotalsTable}), on the connection of the tracking processor's unit of
 * work, which {@link JdbcTransactionManager} binds and commits with the token.
 */
final class AxonOrderTotals {
    private final JdbcTransactionManager transactions;

    AxonOrderTotals(JdbcTransactionManager transactions) {
        this.transactions = transactions;
    }

    @EventHandler
    void on(OrderPlaced e) throws SQLException {
        try (Connection c = connection()) {
            OrderTotalsTable.placed(c, e);
        }
    }

    @EventHandler
    void on(ItemAdded e) throws SQLException {
        try (Connection c = connection()) {
            OrderTotalsTable.itemAdded(c, e);
        }
    }

    /** The unit of work's connection (its close does nothing); a call outside one would write in auto-commit. */
    private Connection connection() throws SQLException {
        if (!transactions.inTransaction()) {
            throw new IllegalStateException("AxonOrderTotals called outside the tracking processor's transaction");
        }
        return transactions.getConnection();
    }
}
