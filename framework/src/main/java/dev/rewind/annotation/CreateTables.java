package dev.rewind.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the one method of a table projection (a {@link Projection} whose handlers take a
 * {@code java.sql.Connection}) that creates its tables: it takes a {@code java.sql.Connection} and runs
 * the DDL on it, with unqualified table names, each statement {@code CREATE ... IF NOT EXISTS}. The method
 * may be static; an instance method is called on a fresh instance. The runtime calls it
 * <ul>
 *   <li>at start-up, with the store's schema as the connection's search path, so that the live tables
 *       exist before the first batch (and for SQL readers);</li>
 *   <li>for a blue/green rebuild ({@code Projections.rebuild}, or a version change of the projection), in
 *       a fresh schema of its own: the rebuild fills that table set from position 0 while the live one
 *       keeps serving, then one transaction puts the fresh tables in place of the old ones.</li>
 * </ul>
 * Handlers write with unqualified names too: the connection's search path decides which table set they
 * write. Only tables (with their indexes, constraints and owned sequences), views, materialized views and
 * sequences are moved by a rebuild's switch; create nothing else here. The connection's transaction is
 * the runtime's: do not commit, roll back or close it. See {@code docs/adr/0016-table-projections.md}.
 *
 * <pre>{@code
 * @CreateTables
 * static void tables(Connection c) throws SQLException {
 *     try (Statement st = c.createStatement()) {
 *         st.execute("CREATE TABLE IF NOT EXISTS order_totals (customer text PRIMARY KEY, total bigint NOT NULL)");
 *     }
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface CreateTables {
}
