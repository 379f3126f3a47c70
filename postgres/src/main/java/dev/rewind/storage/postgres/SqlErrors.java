package dev.rewind.storage.postgres;

import dev.rewind.EventStoreException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

/**
 * Translates JDBC failures into the store's own exceptions, at the edge.
 *
 * <p>For an append the question a caller needs answered is whether the batch may be in the store. An
 * append is one statement in auto-commit mode (or a transaction whose {@code COMMIT} is one message):
 * the database commits at its end, before it answers. So the batch was <em>not written</em> when the
 * statement was never sent (no connection could be had) or when the server answered it with an error
 * (the transaction was rolled back); it <em>may have been written</em> when the statement was sent and
 * the connection broke, or the server process ended, before the answer arrived: the commit may have
 * happened just before. Only a retry with the same event ids can tell, and it is always safe: a batch
 * that was written comes back as an exact retry ({@code alreadyAppended}), never twice.
 */
final class SqlErrors {
    /** unique_violation */
    static final String UNIQUE_VIOLATION = "23505";

    /** The server process ended or is going away: what it was doing may or may not have committed. */
    private static final Set<String> SESSION_ENDED = Set.of(
            "57P01", // admin_shutdown (terminated by pg_terminate_backend, or a fast shutdown)
            "57P02", // crash_shutdown (another server process crashed)
            "57P05"); // idle_session_timeout
    /** The server refused or rolled back, and a retry may succeed once it is back. */
    private static final Set<String> RETRYABLE = Set.of(
            "57P03", // cannot_connect_now (starting up / shutting down)
            "53300", // too_many_connections
            "40001", // serialization_failure
            "40P01", // deadlock_detected
            "25P03"); // idle_in_transaction_session_timeout

    private SqlErrors() {
    }

    /**
     * @param e a failure
     * @return true when the connection broke or its server process ended: work sent on it has an
     *     unknown outcome
     */
    static boolean connectionLost(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLRecoverableException || t instanceof IOException) {
                return true;
            }
            if (t instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("08") || SESSION_ENDED.contains(s.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param e a failure
     * @return true when the server was unreachable, the connection broke or the server refused for now,
     *     so a retry may succeed
     */
    static boolean isUnavailable(SQLException e) {
        if (connectionLost(e)) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException s && s.getSQLState() != null && RETRYABLE.contains(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param e a failure
     * @param doing what was being done, e.g. "reading stream 'order-1'"
     * @return the store's exception for it
     */
    static EventStoreException translate(SQLException e, String doing) {
        String what = "PostgreSQL storage " + (isUnavailable(e) ? "unavailable" : "failed") + " while " + doing
                + " (" + describe(e) + ")";
        return isUnavailable(e) ? new StorageUnavailableException(what + "; retry once the database is back", e, false)
                : new EventStoreException(what, e);
    }

    /**
     * @param e a failure of an append
     * @param sent whether the append's statement (or its transaction's COMMIT) had been sent when it failed
     * @param streamId the stream appended to
     * @param count how many events the batch held
     * @return the store's exception for it, saying whether the batch may have been written
     */
    static EventStoreException translateAppend(SQLException e, boolean sent, String streamId, int count) {
        String doing = "appending " + count + (count == 1 ? " event" : " events") + " to stream '" + streamId + "'";
        if (sent && connectionLost(e)) {
            return new StorageUnavailableException("PostgreSQL storage unavailable while " + doing + " ("
                    + describe(e) + "): the connection broke after the batch was sent, so the batch may have been"
                    + " written: retry with the same event ids (a batch that was written comes back as"
                    + " alreadyAppended, and nothing is written twice)", e, true);
        }
        if (isUnavailable(e)) {
            return new StorageUnavailableException("PostgreSQL storage unavailable while " + doing + " ("
                    + describe(e) + "): nothing of the batch was written; retry once the database is back", e, false);
        }
        return new EventStoreException("PostgreSQL storage failed while " + doing + " (" + describe(e)
                + "); nothing of the batch was written", e);
    }

    static String describe(SQLException e) {
        String state = e.getSQLState() == null ? "" : "SQLState " + e.getSQLState() + ": ";
        return state + e.getMessage();
    }
}
