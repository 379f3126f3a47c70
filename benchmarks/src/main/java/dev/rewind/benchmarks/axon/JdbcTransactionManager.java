package dev.rewind.benchmarks.axon;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.jdbc.ConnectionWrapperFactory;
import org.axonframework.common.jdbc.JdbcException;
import org.axonframework.common.transaction.Transaction;
import org.axonframework.common.transaction.TransactionManager;

/**
 * Axon's {@link TransactionManager} for plain JDBC, with the {@link ConnectionProvider} that hands out the
 * transaction's connection: one pooled connection per transaction (auto-commit off), bound to the thread that
 * started it, committed or rolled back and returned to the pool when the unit of work ends.
 *
 * <p>Axon 4.13 ships this pairing only for Spring ({@code SpringTransactionManager} over a
 * {@code DataSourceTransactionManager}, with {@code SpringDataSourceConnectionProvider}: Spring binds one
 * connection per transaction to the thread, and every {@code getConnection()} inside it returns that one), and
 * that module is not on this class path. This class does the same without Spring. It also matches Axon's own
 * {@code UnitOfWorkAwareConnectionProviderWrapper}, which attaches one connection to the unit of work and
 * commits it in the unit of work's commit phase, except that the connection is bound when the tracking
 * processor attaches the transaction rather than at the first {@code getConnection()}. Either way a tracking
 * processor's batch runs its handlers, then stores its token ({@code JdbcTokenStore}), on one connection in one
 * transaction. As with Spring, a transaction started while one is bound on the thread joins it.
 */
final class JdbcTransactionManager implements TransactionManager, ConnectionProvider {
    private static final Transaction JOINED = new Transaction() {
        @Override
        public void commit() {
            // the outer transaction commits
        }

        @Override
        public void rollback() {
            // the outer transaction rolls back
        }
    };

    private final DataSource dataSource;
    /** The thread's transaction: the connection, and its wrapper whose close does nothing. */
    private final ThreadLocal<Connection[]> bound = new ThreadLocal<>();

    JdbcTransactionManager(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Transaction startTransaction() {
        if (bound.get() != null) {
            return JOINED;
        }
        Connection connection;
        try {
            connection = dataSource.getConnection();
            connection.setAutoCommit(false);
        } catch (SQLException e) {
            throw new JdbcException("could not start a JDBC transaction", e);
        }
        // the token store and the handlers close what getConnection() gave them: the transaction's connection
        // must stay open until commit or rollback
        Connection[] pair = {connection, ConnectionWrapperFactory.wrap(connection, new ConnectionWrapperFactory.NoOpCloseHandler())};
        bound.set(pair);
        return new Transaction() {
            @Override
            public void commit() {
                end(pair, true);
            }

            @Override
            public void rollback() {
                end(pair, false);
            }
        };
    }

    private void end(Connection[] pair, boolean commit) {
        bound.remove();
        try (Connection c = pair[0]) {
            if (commit) {
                c.commit();
            } else {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new JdbcException("could not " + (commit ? "commit" : "roll back") + " a JDBC transaction", e);
        }
    }

    /**
     * @return the thread's transaction connection (closing it does nothing), or outside a transaction a pooled
     *     connection in auto-commit that the caller closes
     */
    @Override
    public Connection getConnection() throws SQLException {
        Connection[] pair = bound.get();
        return pair != null ? pair[1] : dataSource.getConnection();
    }

    /** @return whether the calling thread is inside a transaction of this manager */
    boolean inTransaction() {
        return bound.get() != null;
    }
}
