package dev.rewind.storage.postgres;

import dev.rewind.EventStoreException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

/** Translates JDBC failures into the store's own exceptions, at the edge. */
final class SqlErrors {
    /** unique_violation */
    static final String UNIQUE_VIOLATION = "23505";

    /** Server going away or refusing sessions: the operation may be retried once it is back. */
    private static final Set<String> UNAVAILABLE = Set.of(
            "57P01", // admin_shutdown (terminated by pg_terminate_backend, or a fast shutdown)
            "57P02", // crash_shutdown
            "57P03", // cannot_connect_now (starting up / shutting down)
            "53300", // too_many_connections
            "40001", // serialization_failure
            "40P01"); // deadlock_detected

    private SqlErrors() {
    }

    /**
     * @param e a failure
     * @return true when the server was unreachable or the connection broke, so a retry may succeed
     */
    static boolean isUnavailable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLRecoverableException
                    || t instanceof IOException) {
                return true;
            }
            if (t instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("08") || UNAVAILABLE.contains(s.getSQLState()))) {
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
        return isUnavailable(e) ? new StorageUnavailableException(what + "; retry once the database is back", e)
                : new EventStoreException(what, e);
    }

    /**
     * @param e a failure
     * @param streamId the stream appended to
     * @param count how many events the batch held
     * @return the store's exception for a failed append
     */
    static EventStoreException translateAppend(SQLException e, String streamId, int count) {
        String doing = "appending " + count + (count == 1 ? " event" : " events") + " to stream '" + streamId + "'";
        if (!isUnavailable(e)) {
            return new EventStoreException("PostgreSQL storage failed while " + doing + " (" + describe(e)
                    + "); nothing of the batch was written", e);
        }
        return new StorageUnavailableException("PostgreSQL storage unavailable while " + doing + " ("
                + describe(e) + "); the batch is all or nothing and was not acknowledged: retry it with the same"
                + " event ids (if it did commit, the retry returns the original records and writes nothing)", e);
    }

    static String describe(SQLException e) {
        String state = e.getSQLState() == null ? "" : "SQLState " + e.getSQLState() + ": ";
        return state + e.getMessage();
    }
}
