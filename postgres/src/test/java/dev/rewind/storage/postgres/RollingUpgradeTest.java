package dev.rewind.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.ExpectedVersion;
import dev.rewind.spi.storage.ReadDirection;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A store of the previous release (schema version 3, one {@code rewind_append} call per append) is
 * migrated to the current version (7) by the first instance of this release, and instances of both releases append
 * side by side during a rolling upgrade: both take the same lock, so positions stay gap-free.
 */
class RollingUpgradeTest {
    private static final String SCHEMA = TestDatabase.schema("rolling_upgrade");

    @BeforeAll
    static void server() {
        TestDatabase.requireServer();
    }

    @Test
    void instances_of_the_previous_release_and_of_this_one_append_side_by_side_on_a_migrated_store() throws Exception {
        TestDatabase.dropSchema(SCHEMA);
        createAtVersion3();
        Set<UUID> acknowledged = ConcurrentHashMap.newKeySet();
        try (Connection old = oldInstance()) {
            acknowledged.addAll(oldAppend(old, "before-upgrade", TestRecords.batch(2, "old")));
        }
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try (PostgresStorage upgraded = TestDatabase.builder(SCHEMA).build()) {
            assertThat(versions()).containsExactly(1, 2, 3, 4, 5, 6, 7);
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                writers.add(threads.submit(() -> {
                    try (Connection old = writer % 2 == 0 ? oldInstance() : null) {
                        for (int i = 0; i < 20; i++) {
                            List<SerializedEvent> batch = TestRecords.batch(1 + i % 3, "w" + writer + "-" + i);
                            if (old != null) {
                                acknowledged.addAll(oldAppend(old, "old-" + writer, batch));
                            } else {
                                upgraded.append("new-" + writer, ExpectedVersion.any(), batch, Clock.systemUTC());
                                batch.forEach(e -> acknowledged.add(e.eventId()));
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : writers) {
                f.get(2, TimeUnit.MINUTES);
            }

            List<StoredSerializedEvent> all = new ArrayList<>();
            upgraded.read(0, Long.MAX_VALUE, all::add);
            assertThat(all).hasSize(acknowledged.size());
            for (int p = 0; p < all.size(); p++) {
                assertThat(all.get(p).globalPosition()).isEqualTo(p);
                assertThat(acknowledged).contains(all.get(p).eventId());
                if (p > 0) {
                    assertThat(all.get(p).recordedAt()).isAfterOrEqualTo(all.get(p - 1).recordedAt());
                }
            }
            assertThat(upgraded.readStream("before-upgrade", 0, 10, ReadDirection.FORWARD)).hasSize(2);
        } finally {
            threads.shutdownNow();
        }
    }

    /** The schema as the previous release's migrations left it. */
    private static void createAtVersion3() throws Exception {
        try (Connection c = TestDatabase.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + PostgresSettings.quote(SCHEMA));
            st.execute("SET search_path TO " + PostgresSettings.quote(SCHEMA));
            st.execute("CREATE TABLE rewind_schema_version (version INT PRIMARY KEY, script TEXT NOT NULL,"
                    + " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
            for (int v = 1; v <= 3; v++) {
                String script = SchemaMigrator.MIGRATIONS.get(v - 1);
                try (InputStream in = SchemaMigrator.class.getResourceAsStream("schema/" + script)) {
                    st.execute(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
                st.execute("INSERT INTO rewind_schema_version (version, script) VALUES (" + v + ", '" + script + "')");
            }
        }
    }

    /** @return a connection as the previous release's pool made them: the store's schema as search path */
    private static Connection oldInstance() throws SQLException {
        Connection c = TestDatabase.connect();
        c.setSchema(SCHEMA);
        return c;
    }

    /** Appends as the previous release did: one call of rewind_append, in auto-commit mode. */
    private static List<UUID> oldAppend(Connection c, String stream, List<SerializedEvent> batch) throws SQLException {
        int n = batch.size();
        UUID[] ids = new UUID[n];
        String[] types = new String[n];
        Integer[] versions = new Integer[n];
        byte[][] payloads = new byte[n][];
        String[] metadata = new String[n];
        for (int i = 0; i < n; i++) {
            ids[i] = batch.get(i).eventId();
            types[i] = batch.get(i).type();
            versions[i] = batch.get(i).schemaVersion();
            payloads[i] = batch.get(i).payload();
            metadata[i] = "{}";
        }
        Object[] at = Rows.timeKey(Instant.now());
        try (PreparedStatement q = c.prepareStatement("SELECT status FROM rewind_append(?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                + " ?::jsonb[], ?, ?)")) {
            q.setLong(1, 0x5245_5749_0000_0000L ^ SCHEMA.hashCode()); // the previous release's lock key
            q.setString(2, "rewind_" + SCHEMA);
            q.setString(3, stream);
            q.setLong(4, -2);
            q.setArray(5, c.createArrayOf("uuid", ids));
            q.setArray(6, c.createArrayOf("text", types));
            q.setArray(7, c.createArrayOf("int4", versions));
            q.setArray(8, c.createArrayOf("bytea", payloads));
            q.setArray(9, c.createArrayOf("text", new String[n]));
            q.setArray(10, c.createArrayOf("text", new String[n]));
            q.setArray(11, c.createArrayOf("text", metadata));
            q.setObject(12, at[0]);
            q.setShort(13, (Short) at[1]);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("appended");
            }
        }
        return List.of(ids);
    }

    private static List<Integer> versions() throws SQLException {
        List<Integer> out = new ArrayList<>();
        try (Connection c = TestDatabase.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version FROM " + PostgresSettings.quote(SCHEMA)
                     + ".rewind_schema_version ORDER BY version")) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        }
        return out;
    }
}
