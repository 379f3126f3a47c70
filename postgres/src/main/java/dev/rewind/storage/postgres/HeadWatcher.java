package dev.rewind.storage.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns of events appended by any instance and tells the {@code onAppended} callbacks.
 *
 * <p>One daemon thread holds a dedicated connection (see {@link Pool#openListening}) that
 * {@code LISTEN}s on the store's channel. Every append sends {@code pg_notify} with the store's new next
 * position inside its transaction, so the notification arrives when the append commits; appends commit
 * under the store's lock, one after another in position order, and PostgreSQL delivers notifications in
 * commit order, so a payload is a next position every lower one of which is readable, and is announced
 * as it is, without reading the table. A payload that is not a number (sent by something else) makes
 * the thread read the next position from the table instead. It also reads it every poll interval
 * without any notification, and tells the callbacks even when it has not moved, so a notification
 * lost (connection broken, server restarted) delays an event by at most that interval and never loses
 * it, and a callback whose work failed (delivery, while the database was away) gets another go. When
 * the listening connection breaks, it is reopened with a back-off while polling goes on. An append
 * made through this storage is told to the callbacks by its notification too, on this thread, not by
 * the appending thread, which delivers its own events as it holds them.
 */
final class HeadWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HeadWatcher.class);
    private static final int WAIT_SLICE_MILLIS = 200;

    private final ConnectionSource listenConnections;
    private final String channel;
    private final LongSupplier next;
    private final long pollMillis;
    private final List<LongConsumer> callbacks = new CopyOnWriteArrayList<>();
    private final AtomicLong announced = new AtomicLong(-1);
    /** Running totals for metrics, kept on this thread only. */
    private final AtomicLong notifications = new AtomicLong();
    private final AtomicLong polls = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private volatile boolean closed;
    private Thread thread;

    /** Where a connection beside the pool comes from (to listen on, or to ask who blocks a call), and how it is given back. */
    interface ConnectionSource {
        /** @return a connection to LISTEN on */
        Connection open() throws SQLException;

        /** Gives back a connection from {@link #open}. */
        void release(Connection c) throws SQLException;
    }

    /** @return notifications received since start */
    long notifications() {
        return notifications.get();
    }

    /** @return reads of the head made because no notification said enough (or none came) */
    long polls() {
        return polls.get();
    }

    /** @return how many times the listening connection was lost */
    long reconnects() {
        return reconnects.get();
    }

    HeadWatcher(ConnectionSource listenConnections, String channel, LongSupplier next, Duration pollInterval) {
        this.listenConnections = listenConnections;
        this.channel = channel;
        this.next = next;
        this.pollMillis = Math.max(1, pollInterval.toMillis());
    }

    /** Adds a callback; the first one starts the listening thread. */
    synchronized void add(LongConsumer callback) {
        callbacks.add(callback);
        if (thread == null && !closed) {
            thread = new Thread(this::run, "rewind-postgres-listener-" + channel);
            thread.setDaemon(true);
            thread.start();
        }
    }

    /**
     * Tells the callbacks of a next position.
     *
     * @param nextPosition a next position every lower one of which is readable
     * @param evenIfTold whether to tell them a position they were told already: a poll does, so that a
     *     callback whose work failed the first time (delivery, with the database away) gets another go
     */
    private void announce(long nextPosition, boolean evenIfTold) {
        long prev = announced.getAndAccumulate(nextPosition, Math::max);
        if (nextPosition > prev || (evenIfTold && nextPosition >= prev)) {
            for (LongConsumer c : callbacks) {
                try {
                    c.accept(nextPosition);
                } catch (RuntimeException e) {
                    LOG.error("an onAppended callback failed at next position {}", nextPosition, e);
                }
            }
        }
    }

    private void run() {
        Connection conn = null;
        long backoff = 100;
        long lastPoll = 0;
        while (!closed) {
            try {
                if (conn == null) {
                    conn = listen();
                    backoff = 100;
                    poll(); // anything appended while nobody listened
                    lastPoll = System.nanoTime();
                }
                PGNotification[] notes = conn.unwrap(PGConnection.class).getNotifications(WAIT_SLICE_MILLIS);
                boolean due = System.nanoTime() - lastPoll >= pollMillis * 1_000_000L;
                if (notes != null && notes.length > 0) {
                    notifications.addAndGet(notes.length);
                }
                if (notes != null && notes.length > 0 && !announce(notes)) {
                    due = true;
                }
                if (due) {
                    polls.incrementAndGet();
                    poll();
                    lastPoll = System.nanoTime();
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    break;
                }
                LOG.warn("PostgreSQL listener on channel {} lost its connection ({}); polling every {} ms until"
                        + " it is back", channel, e.getMessage(), pollMillis);
                closeQuietly(conn);
                conn = null;
                reconnects.incrementAndGet();
                sleep(backoff);
                backoff = Math.min(backoff * 2, Math.max(pollMillis, 1000));
                pollQuietly();
                lastPoll = System.nanoTime();
            }
        }
        closeQuietly(conn);
    }

    /**
     * Announces the largest next position the notifications carry.
     *
     * @return false when one of them carries no position (the table must be read)
     */
    private boolean announce(PGNotification[] notes) {
        long max = -1;
        for (PGNotification n : notes) {
            try {
                max = Math.max(max, Long.parseLong(n.getParameter()));
            } catch (NumberFormatException e) {
                return false;
            }
        }
        announce(max, false);
        return true;
    }

    private Connection listen() throws SQLException {
        Connection conn = listenConnections.open();
        try (Statement st = conn.createStatement()) {
            st.execute("LISTEN " + PostgresSettings.quote(channel));
            // A pooled connection may hold notifications its last user left unread; what they say is no
            // news of this store, and the poll that follows reads the head anyway.
            Pool.discardNotifications(conn);
        } catch (SQLException e) {
            closeQuietly(conn);
            throw e;
        }
        return conn;
    }

    private void poll() {
        announce(next.getAsLong(), true);
    }

    private void pollQuietly() {
        try {
            poll();
        } catch (RuntimeException e) {
            LOG.debug("polling the next position failed: {}", e.getMessage());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeQuietly(Connection conn) {
        if (conn != null) {
            try {
                listenConnections.release(conn);
            } catch (SQLException e) {
                LOG.debug("closing the listening connection: {}", e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            t = thread;
        }
        if (t != null) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
