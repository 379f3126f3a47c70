package dev.rewind.internal.dispatch;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

/**
 * Not API. What a {@code java.sql.Connection} handler parameter answers: the projection runtime sets, on
 * the thread that applies a table projection's batch, the connection of the batch's transaction (see
 * {@code docs/adr/0016-table-projections.md}). Outside such a batch there is none, and the parameter
 * fails with a message saying why.
 *
 * <p>Handlers get a guard around the connection: committing, rolling back, switching auto-commit on or
 * closing it is refused (its own savepoints are allowed), because the runtime commits the rows together with the checkpoint and a handler
 * that committed on its own would break the exactly-once guarantee.
 */
public final class TransactionContext {
    private static final ThreadLocal<Connection> CURRENT = new ThreadLocal<>();
    private static final Set<String> REFUSED = Set.of("commit", "rollback", "setAutoCommit", "close", "abort");

    private TransactionContext() {
    }

    /**
     * @param connection the batch's connection
     * @return the previous one, for {@link #restore}
     */
    public static Connection enter(Connection connection) {
        Connection previous = CURRENT.get();
        CURRENT.set(guard(connection));
        return previous;
    }

    /** @param previous what {@link #enter} returned */
    public static void restore(Connection previous) {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }

    /**
     * @return the connection of the batch being applied on this thread
     * @throws IllegalStateException when this thread applies no table projection's batch
     */
    public static Connection current() {
        Connection c = CURRENT.get();
        if (c == null) {
            throw new IllegalStateException("a handler parameter of type java.sql.Connection has a connection only while"
                    + " the projection runtime applies a batch of an asynchronous projection in its projection store's"
                    + " transaction (the PostgreSQL storage); here (thread '" + Thread.currentThread().getName()
                    + "') there is none: a table projection cannot be replayed into a fresh instance (past states,"
                    + " rebuilds) or applied by an aggregate");
        }
        return c;
    }

    private static Connection guard(Connection real) {
        InvocationHandler h = (proxy, method, args) -> {
            // rollback(Savepoint) stays allowed: it undoes a handler's own savepoint, not the batch
            if (REFUSED.contains(method.getName()) && !(method.getName().equals("rollback") && args != null)) {
                throw new SQLException("a projection handler must not call Connection." + method.getName() + "(): Rewind"
                        + " commits the batch's rows together with the projection's checkpoint (exactly once); throw an"
                        + " exception to have the batch rolled back");
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Connection) Proxy.newProxyInstance(TransactionContext.class.getClassLoader(),
                new Class<?>[] {Connection.class}, h);
    }
}
