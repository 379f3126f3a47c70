package dev.rewind.example.orders.cli;

import dev.rewind.example.tables.OrderTotalsTable;
import dev.rewind.storage.postgres.PostgresStorageProvider;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;

/**
 * The app's tables on PostgreSQL: created before the runtime starts (the app owns their DDL), and read back
 * for the demo. A store URL names the schema with {@code rewindSchema} (default {@code rewind}).
 */
final class TableViews {
    private TableViews() {
    }

    /** Creates the tables in the schema of the store at {@code storeUrl} when they are missing. */
    static void create(String storeUrl) {
        try (Connection c = DriverManager.getConnection(driverUrl(storeUrl))) {
            OrderTotalsTable.createTable(c, schema(storeUrl));
        } catch (SQLException e) {
            throw new CliException("cannot create table " + OrderTotalsTable.TABLE + " in schema " + schema(storeUrl)
                    + ": " + e.getMessage());
        }
    }

    /** As {@link #create(String)}, for the demo's options. */
    static void create(PostgresOptions pg, String schema) {
        try (Connection c = DriverManager.getConnection(pg.url, pg.user, pg.password)) {
            OrderTotalsTable.createTable(c, schema);
        } catch (SQLException e) {
            throw new CliException("cannot create table " + OrderTotalsTable.TABLE + " in schema " + schema + " at "
                    + pg.url + ": " + e.getMessage());
        }
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

    private static String schema(String storeUrl) {
        return PostgresStorageProvider.schema(storeUrl);
    }

    private static String driverUrl(String storeUrl) {
        return PostgresStorageProvider.driverUrl(storeUrl);
    }
}
