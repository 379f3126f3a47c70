package dev.rewind.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.rewind.Polls;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Notifications left unread on a connection are no news of a store. A storage on the application's
 * pool gives its LISTEN connection back when it closes; the driver may still hold notifications that
 * arrived before the UNLISTEN, and the next storage on that connection took their position for its
 * own head: after a schema was reset, it skipped every event below that stale position (seen once as
 * a contract test whose subscriber was never told of event 0).
 */
class ListeningConnectionTest {
    private static final String SCHEMA = TestDatabase.schema("listening_connection");
    private static final String CHANNEL = "rewind_" + SCHEMA;

    @BeforeAll
    static void server() {
        TestDatabase.requireServer();
    }

    @Test
    void a_listening_connection_goes_back_to_the_applications_pool_with_no_notification_waiting() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(TestDatabase.URL);
        config.setUsername(TestDatabase.USER);
        config.setPassword(TestDatabase.PASSWORD);
        config.setMaximumPoolSize(1); // the connection given back is the one borrowed next
        try (HikariDataSource application = new HikariDataSource(config)) {
            Pool pool = Pool.open(new PostgresSettings(null, null, null, application, SCHEMA, 0, null,
                    Duration.ofMillis(200), Duration.ofSeconds(5), false));
            Connection listening = pool.openListening();
            listenAndNotifyItself(listening, "1000");
            pool.releaseListening(listening);

            try (Connection next = application.getConnection()) {
                PGNotification[] waiting = next.unwrap(PGConnection.class).getNotifications();
                assertThat(waiting == null ? List.of() : List.of(waiting)).as("notifications left for the next user")
                        .isEmpty();
                assertThat(text(next, "SELECT count(*) FROM pg_listening_channels()")).isEqualTo("0");
            }
        }
    }

    @Test
    void notifications_a_connection_held_before_it_listened_for_the_store_are_not_announced() throws Exception {
        Connection stale = TestDatabase.connect();
        listenAndNotifyItself(stale, "1000"); // what a pooled connection's last user may have left unread
        HeadWatcher.ConnectionSource once = new HeadWatcher.ConnectionSource() {
            @Override
            public Connection open() {
                return stale;
            }

            @Override
            public void release(Connection c) throws SQLException {
                c.close();
            }
        };
        List<Long> announced = new CopyOnWriteArrayList<>();
        try (HeadWatcher watcher = new HeadWatcher(once, CHANNEL, () -> 0L, Duration.ofMillis(20))) {
            watcher.add(announced::add);
            Polls.until(() -> watcher.polls() >= 3, Duration.ofSeconds(20), "three polls of the head");
        }
        assertThat(announced).as("positions told to the store").isNotEmpty().containsOnly(0L);
    }

    /**
     * A session is sent its own notifications as its transaction commits, so the driver holds this one
     * when the statement returns: no waiting on another session's delivery.
     */
    private static void listenAndNotifyItself(Connection c, String payload) throws SQLException {
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
            st.execute("LISTEN " + PostgresSettings.quote(CHANNEL));
            st.execute("SELECT pg_notify('" + CHANNEL + "', '" + payload + "')");
        }
    }

    private static String text(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
