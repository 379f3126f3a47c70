package dev.rewind.example.tables;

import dev.rewind.annotation.CreateTables;
import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.example.orders.domain.ItemAdded;
import dev.rewind.example.orders.domain.OrderCancelled;
import dev.rewind.example.orders.domain.OrderPaid;
import dev.rewind.example.orders.domain.OrderPlaced;
import dev.rewind.example.orders.domain.OrderShipped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code order_totals_table}: {@code order_totals} kept in the PostgreSQL table {@code order_totals} of the
 * store's schema instead of in memory, for applications that query their views with SQL and run several
 * instances. Each handler takes the batch's transaction, in which the runtime also saves the checkpoint, so
 * after any crash each event's effect is in the table exactly once; the projection is owned: one instance
 * at a time writes it, the others stand by and take over when it dies.
 *
 * <p>It lives outside the package the app scans ({@code dev.rewind.example.orders}) because it needs the
 * PostgreSQL storage: {@code OrdersApp.withTables} registers it there. It declares its table's DDL
 * ({@link #createTable}, {@code @CreateTables}), so Rewind creates the table at start and can rebuild it
 * blue/green.
 */
@Projection("order_totals_table")
public class OrderTotalsTable {
    /** The table, in the store's schema (the batch's connection has it as search path). */
    public static final String TABLE = "order_totals";

    /** Needed by the framework. */
    public OrderTotalsTable() {
    }

    /**
     * The view's DDL: Rewind runs it at start in the store's schema, and for a blue/green rebuild
     * ({@code Projections.rebuild("order_totals_table")}, or a new {@code @Projection} version) in a fresh
     * schema whose table replaces this one once it has caught up.
     *
     * @param c the connection of Rewind's transaction, its search path set to where the table belongs
     * @throws SQLException from the database
     */
    @CreateTables
    static void createTable(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (order_id text PRIMARY KEY, user_id text NOT NULL,"
                    + " currency text NOT NULL, items integer NOT NULL, total_cents bigint NOT NULL, status text NOT NULL)");
        }
    }

    /**
     * Reads the table, in the shape of {@code order_totals}' state.
     *
     * @param c a connection to the database
     * @param schema the store's schema
     * @return order id to {@code {userId, currency, items, totalCents, status}}, by order id
     * @throws SQLException from the database
     */
    public static Map<String, Map<String, Object>> read(Connection c, String schema) throws SQLException {
        Map<String, Map<String, Object>> rows = new LinkedHashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT order_id, user_id, currency,"
                + " items, total_cents, status FROM " + quoted(schema) + "." + TABLE + " ORDER BY order_id")) {
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("userId", rs.getString(2));
                row.put("currency", rs.getString(3));
                row.put("items", rs.getInt(4));
                row.put("totalCents", rs.getLong(5));
                row.put("status", rs.getString(6));
                rows.put(rs.getString(1), row);
            }
        }
        return rows;
    }

    private static String quoted(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    // A plain INSERT, not an upsert: if an event were ever applied twice, the primary key would say so loudly.
    @EventHandler
    void on(OrderPlaced e, Connection tx) throws SQLException {
        try (PreparedStatement q = tx.prepareStatement("INSERT INTO " + TABLE
                + " (order_id, user_id, currency, items, total_cents, status) VALUES (?, ?, ?, 0, 0, 'PLACED')")) {
            q.setString(1, e.orderId());
            q.setString(2, e.userId());
            q.setString(3, e.currency());
            q.executeUpdate();
        }
    }

    @EventHandler
    void on(ItemAdded e, Connection tx) throws SQLException {
        try (PreparedStatement q = tx.prepareStatement("UPDATE " + TABLE
                + " SET items = items + ?, total_cents = total_cents + ? WHERE order_id = ?")) {
            q.setInt(1, e.quantity());
            q.setLong(2, e.lineTotalCents());
            q.setString(3, e.orderId());
            q.executeUpdate();
        }
    }

    @EventHandler
    void on(OrderPaid e, Connection tx) throws SQLException {
        status(tx, e.orderId(), "PAID");
    }

    @EventHandler
    void on(OrderShipped e, Connection tx) throws SQLException {
        status(tx, e.orderId(), "SHIPPED");
    }

    @EventHandler
    void on(OrderCancelled e, Connection tx) throws SQLException {
        status(tx, e.orderId(), "CANCELLED");
    }

    private static void status(Connection tx, String orderId, String status) throws SQLException {
        // an order this view never saw placed matches no row: ignored, as in order_totals
        try (PreparedStatement q = tx.prepareStatement("UPDATE " + TABLE + " SET status = ? WHERE order_id = ?")) {
            q.setString(1, status);
            q.setString(2, orderId);
            q.executeUpdate();
        }
    }

    /** @return where the view is: it is queried with SQL, not through the runtime */
    @QueryState
    public String state() {
        return "in table " + TABLE + " of the store's schema";
    }
}
