package dev.rewind.example.orders.cli;

import dev.rewind.example.tables.OrderTotalsTable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;

/**
 * The app's tables on PostgreSQL, read back for the demo (Rewind creates them at start: the projection
 * declares their DDL with {@code @CreateTables}).
 */
final class TableViews {
    private TableViews() {
    }

    /** @return the rows of {@code order_totals} in the demo's schema, in the shape of the in-memory view */
    static Map<String, Map<String, Object>> read(PostgresOptions pg, String schema) {
        try (Connection c = DriverManager.getConnection(pg.url, pg.user, pg.password)) {
            return OrderTotalsTable.read(c, schema);
        } catch (SQLException e) {
            throw new CliException("cannot read table " + OrderTotalsTable.TABLE + " in schema " + schema + " at "
                    + pg.url + ": " + e.getMessage());
        }
    }
}
