package dev.rewind.benchmarks.workload;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The order-totals view kept in a PostgreSQL table, {@code order_totals(order_id primary key, total, lines)},
 * written the same way by both sides' handlers (one upsert per {@code OrderPlaced} and per {@code ItemAdded}, on
 * the connection of the framework's transaction) and read back to check it. The table name is unqualified: it
 * lives in the schema on the connection's search path.
 */
public final class OrderTotalsTable {
    /** The items of one order of the workload: every order row must end with this many lines. */
    public static final int ITEMS_PER_ORDER = Workload.EVENTS_PER_ORDER - 2;
    // OrderPlaced resets the row, as OrderViews.placed does, so that the table equals OrderViews replayed over
    // the same events even when an order id comes twice (the take-over phase's writer cycles through its orders)
    private static final String PLACED = "INSERT INTO order_totals (order_id, total, lines) VALUES (?, 0, 0)"
            + " ON CONFLICT (order_id) DO UPDATE SET total = 0, lines = 0";
    private static final String ITEM = "INSERT INTO order_totals (order_id, total, lines) VALUES (?, ?, 1)"
            + " ON CONFLICT (order_id) DO UPDATE SET total = order_totals.total + EXCLUDED.total,"
            + " lines = order_totals.lines + 1";

    private OrderTotalsTable() {
    }

    /**
     * Creates the table when it is missing.
     *
     * @param c a connection whose search path starts with the schema
     * @throws SQLException when the server refuses
     */
    public static void create(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS order_totals (order_id text PRIMARY KEY, total bigint NOT NULL,"
                    + " lines int NOT NULL)");
        }
    }

    /**
     * Empties the table.
     *
     * @param c a connection whose search path starts with the schema
     * @throws SQLException when the server refuses
     */
    public static void truncate(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("TRUNCATE order_totals");
        }
    }

    /**
     * @param c the connection of the handler's transaction
     * @param e an order placed: its row starts at 0
     * @throws SQLException when the upsert fails
     */
    public static void placed(Connection c, OrderPlaced e) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(PLACED)) {
            q.setString(1, e.orderId());
            q.executeUpdate();
        }
    }

    /**
     * @param c the connection of the handler's transaction
     * @param e an item added: quantity x unit price onto its order's total, one line more
     * @throws SQLException when the upsert fails
     */
    public static void itemAdded(Connection c, ItemAdded e) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(ITEM)) {
            q.setString(1, e.orderId());
            q.setLong(2, e.quantity() * e.unitPriceCents());
            q.executeUpdate();
        }
    }

    /**
     * Reads the totals, checking that every order has {@link #ITEMS_PER_ORDER} lines.
     *
     * @param c a connection whose search path starts with the schema
     * @param what names the run, for the error message
     * @return order id to total
     * @throws SQLException when the table cannot be read
     * @throws IllegalStateException naming the first order with another number of lines
     */
    public static Map<String, Long> totals(Connection c, String what) throws SQLException {
        Map<String, Long> totals = new HashMap<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT order_id, total, lines FROM order_totals")) {
            while (rs.next()) {
                if (rs.getInt(3) != ITEMS_PER_ORDER) {
                    throw new IllegalStateException(what + ": order_totals row " + rs.getString(1) + " has " + rs.getInt(3)
                            + " lines, expected " + ITEMS_PER_ORDER);
                }
                totals.put(rs.getString(1), rs.getLong(2));
            }
        }
        return totals;
    }

    /**
     * @param table what {@link #totals} read
     * @param expected what the store's events imply (for instance {@code OrderViews} replayed over them)
     * @param what names the run, for the error message
     * @throws IllegalStateException naming the first difference
     */
    public static void requireEqual(Map<String, Long> table, Map<String, Long> expected, String what) {
        if (table.equals(expected)) {
            return;
        }
        for (Map.Entry<String, Long> e : new TreeMap<>(expected).entrySet()) {
            if (!e.getValue().equals(table.get(e.getKey()))) {
                throw new IllegalStateException(what + ": order_totals has " + table.get(e.getKey()) + " for " + e.getKey()
                        + ", the store's events imply " + e.getValue() + " (" + table.size() + " rows, " + expected.size()
                        + " orders expected)");
            }
        }
        throw new IllegalStateException(what + ": order_totals holds " + table.size() + " rows, the store's events imply "
                + expected.size() + " orders");
    }
}
