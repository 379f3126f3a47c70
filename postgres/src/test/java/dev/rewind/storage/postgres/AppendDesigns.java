package dev.rewind.storage.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.rewind.EventIds;
import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.storage.kernel.GroupCommit;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The measurements behind docs/adr/0010-postgres-appends.md: the write paths the ADR weighs, as small
 * prototypes in raw SQL and JDBC (independent of {@code PostgresStorage}, so that they can be re-run
 * after it changes), each on its own schema of the same server, with 1, 4, 16 and 2 x 8 writers appending
 * 10-event batches durably ({@code synchronous_commit} as the server has it), then the tailing latency
 * of each with 4 writers and one reader polling every millisecond, alone and with an ordinary
 * transaction held open for 2 s on another connection.
 *
 * <ul>
 *   <li>{@code axon-like}: a {@code bigserial} position and a JDBC batch of 10 inserts in auto-commit,
 *       what Axon's {@code JdbcEventStorageEngine} does; no check, no lock (the reference).</li>
 *   <li>{@code lock-per-append}: schema V1-V3 as they were before ADR 0010, one call of
 *       {@code rewind_append} per append (advisory lock until commit, {@code pg_notify} inside).</li>
 *   <li>{@code group-commit}: the same lock, but one instance gathers concurrent appends (the kernel's
 *       {@link GroupCommit}) and sends them in one call of a function that checks each batch on its
 *       own and inserts all of them in one statement, one commit and one notification per group.</li>
 *   <li>{@code xid-horizon}: positions from a sequence, no lock, each row carrying
 *       {@code pg_current_xact_id()}; readers read below {@code pg_snapshot_xmin(pg_current_snapshot())}
 *       in (transaction, position) order; no notification inside the transaction.</li>
 *   <li>{@code xid-horizon+notify}: the same with {@code pg_notify} inside the transaction, as a store
 *       that wakes its readers the simple way would do it.</li>
 *   <li>{@code implemented}: not a prototype, {@code PostgresStorage} as built after the decision.</li>
 * </ul>
 *
 * <pre>
 * java -cp ... dev.rewind.storage.postgres.AppendDesigns [seconds per run, default 4] [designs,comma-separated]
 * </pre>
 * Connects like the tests ({@code REWIND_PG_URL}, {@code REWIND_PG_USER}, {@code REWIND_PG_PASSWORD});
 * its schemas are {@code REWIND_PG_SCHEMA_PREFIX} + {@code design_*}, dropped and re-created per run.
 */
public final class AppendDesigns {
    private static final String URL = env("REWIND_PG_URL", "jdbc:postgresql://localhost:5432/rewind_test");
    private static final String USER = env("REWIND_PG_USER", "rewind");
    private static final String PASSWORD = env("REWIND_PG_PASSWORD", "rewind");
    private static final String PREFIX = env("REWIND_PG_SCHEMA_PREFIX", "");
    private static final int BATCH = 10;
    private static final long LOCK_KEY = 0x5245_5749_0000_0016L;

    private AppendDesigns() {
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /** One event of a batch, as the client has it. */
    record Event(UUID id, String type, byte[] payload, String correlation) {
    }

    /** One write path; an instance is what one application process holds (its own pool). */
    interface Design {
        String name();

        /** The schema's DDL, run in the schema (search path set). */
        String ddl();

        /** @return an appender for one instance with {@code writers} threads */
        Instance open(String schema, int writers) throws SQLException;

        /** The tailing reader's query: (position, event id, order key) of rows after the last seen, in read order. */
        String tailQuery(String schema);

        /** Binds the reader's cursor (the last row's order key) to {@link #tailQuery}. */
        void bindCursor(PreparedStatement q, long[] cursor) throws SQLException;
    }

    /** One instance: appends a batch durably, returns once it is committed. */
    interface Instance extends AutoCloseable {
        void append(String stream, List<Event> batch) throws SQLException;

        /** @return how many batches went per commit on average (1 when the design does not group) */
        default double perCommit() {
            return 1;
        }

        @Override
        void close();
    }

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 4;
        List<Design> designs = new ArrayList<>(List.of(new AxonLike(), new LockPerAppend(), new GroupCommitted(),
                new XidHorizon(false), new XidHorizon(true), new Implemented()));
        if (args.length > 1) {
            List<String> names = Arrays.asList(args[1].split(","));
            designs.removeIf(d -> !names.contains(d.name()));
        }
        int[][] configs = {{1, 1}, {1, 4}, {1, 16}, {2, 8}}; // instances x writers each
        System.out.printf(Locale.ROOT, "server %s, %d s per run, %d-event batches, load average %s%n", URL, seconds,
                BATCH, loadAverage());
        System.out.printf(Locale.ROOT, "%-20s %-8s %12s %12s %10s%n", "design", "writers", "events/s", "batches/s",
                "per commit");
        for (int[] config : configs) {
            for (Design d : designs) {
                Result r = throughput(d, config[0], config[1], seconds);
                System.out.printf(Locale.ROOT, "%-20s %-8s %,12.0f %,12.0f %10.1f%n", d.name(),
                        config[0] == 1 ? Integer.toString(config[1]) : config[0] + "x" + config[1],
                        r.batches * BATCH / r.seconds, r.batches / r.seconds, r.perCommit);
            }
        }
        System.out.printf(Locale.ROOT, "%ntailing, 4 writers, a reader polling every 1 ms (load average %s)%n",
                loadAverage());
        System.out.printf(Locale.ROOT, "%-20s %10s %10s %10s %12s %12s %12s%n", "design", "p50 ms", "p99 ms", "max ms",
                "out of order", "gaps", "never seen");
        for (Design d : designs) {
            tailing(d, 4, seconds, false);
        }
        System.out.printf(Locale.ROOT, "%nthe same, with a transaction that has a transaction id held open on another"
                + " connection for 2 s of the run (load average %s)%n", loadAverage());
        System.out.printf(Locale.ROOT, "%-20s %10s %10s %10s %12s %12s %12s%n", "design", "p50 ms", "p99 ms", "max ms",
                "out of order", "gaps", "never seen");
        for (Design d : designs) {
            tailing(d, 4, Math.max(seconds, 3), true);
        }
        System.out.printf(Locale.ROOT, "load average at the end %s%n", loadAverage());
    }

    private static String loadAverage() {
        try {
            return new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/loadavg")),
                    StandardCharsets.US_ASCII).split(" ")[0];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    record Result(long batches, double seconds, double perCommit) {
    }

    private static String fresh(Design d) throws SQLException {
        String schema = PREFIX + "design_" + d.name().replace('-', '_').replace('+', '_');
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            st.execute("CREATE SCHEMA " + schema);
            st.execute("SET search_path TO " + schema);
            st.execute(d.ddl());
        }
        return schema;
    }

    private static Result throughput(Design d, int instances, int writers, long seconds) throws Exception {
        String schema = fresh(d);
        List<Instance> opened = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            opened.add(d.open(schema, writers));
        }
        try {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicBoolean measuring = new AtomicBoolean();
            AtomicLong batches = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int i = 0; i < instances; i++) {
                Instance instance = opened.get(i);
                for (int w = 0; w < writers; w++) {
                    String prefix = "i" + i + "-w" + w + "-";
                    threads.add(new Thread(() -> {
                        try {
                            for (int k = 0; !stop.get(); k++) {
                                instance.append(prefix + k, batch(k));
                                if (measuring.get()) {
                                    batches.incrementAndGet();
                                }
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    }));
                }
            }
            threads.forEach(Thread::start);
            Thread.sleep(1000); // warm-up: connections, plans, the JIT
            long before = batches.get();
            measuring.set(true);
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000);
            long done = batches.get() - before;
            double elapsed = (System.nanoTime() - t0) / 1e9;
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            if (!failures.isEmpty()) {
                throw new IllegalStateException(d.name() + " failed", failures.get(0));
            }
            double perCommit = opened.stream().mapToDouble(Instance::perCommit).average().orElse(1);
            return new Result(done, elapsed, perCommit);
        } finally {
            opened.forEach(Instance::close);
        }
    }

    /**
     * @param holdOpen whether another session holds a transaction with a transaction id open from 0.5 s
     *     into the run for 2 s (an ordinary long transaction, as any application on the server may have)
     */
    private static void tailing(Design d, int writers, long seconds, boolean holdOpen) throws Exception {
        String schema = fresh(d);
        Map<UUID, Long> acknowledged = new ConcurrentHashMap<>();
        Map<UUID, Long> seen = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean writersDone = new AtomicBoolean(); // every append acknowledged: nothing more will be
        long[] outOfOrder = {0};
        long[] gaps = {0};
        try (Instance instance = d.open(schema, writers);
             Connection rc = DriverManager.getConnection(URL, USER, PASSWORD);
             PreparedStatement tail = rc.prepareStatement(d.tailQuery(schema))) {
            Thread reader = new Thread(() -> {
                long[] cursor = {-1, -1};
                long lastPosition = -1;
                try {
                    long[] stoppedAt = {0};
                    while (!writersDone.get() || seen.size() < acknowledged.size()) {
                        if (writersDone.get() && stoppedAt[0] == 0) {
                            stoppedAt[0] = System.nanoTime();
                        } else if (stoppedAt[0] != 0 && System.nanoTime() - stoppedAt[0] > 3_000_000_000L) {
                            break; // what it has not seen 3 s after the last commit, it will never see
                        }
                        d.bindCursor(tail, cursor);
                        try (ResultSet rs = tail.executeQuery()) {
                            while (rs.next()) {
                                long position = rs.getLong(1);
                                seen.putIfAbsent(rs.getObject(2, UUID.class), System.nanoTime());
                                if (position < lastPosition) {
                                    outOfOrder[0]++;
                                } else if (position > lastPosition + 1) {
                                    gaps[0]++;
                                }
                                lastPosition = Math.max(lastPosition, position);
                                cursor[0] = rs.getLong(3);
                                cursor[1] = position;
                            }
                        }
                        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String prefix = "w" + w + "-";
                threads.add(new Thread(() -> {
                    try {
                        for (int k = 0; !stop.get(); k++) {
                            List<Event> batch = batch(k);
                            instance.append(prefix + k, batch);
                            long now = System.nanoTime();
                            for (Event e : batch) {
                                acknowledged.put(e.id(), now);
                            }
                        }
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            reader.start();
            threads.forEach(Thread::start);
            if (holdOpen) {
                Thread.sleep(500);
                try (Connection other = DriverManager.getConnection(URL, USER, PASSWORD)) {
                    other.setAutoCommit(false);
                    try (Statement st = other.createStatement()) {
                        st.execute("SELECT pg_current_xact_id()");
                    }
                    Thread.sleep(2000); // the scenario: a transaction open for 2 s
                    other.rollback();
                }
                Thread.sleep(Math.max(0, seconds * 1000 - 2500));
            } else {
                Thread.sleep(seconds * 1000);
            }
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            writersDone.set(true);
            reader.join(30_000);
        }
        List<Double> millis = new ArrayList<>();
        long[] never = {0};
        acknowledged.forEach((id, at) -> {
            Long s = seen.get(id);
            if (s == null) {
                never[0]++;
            } else {
                millis.add(Math.max(0, s - at) / 1e6);
            }
        });
        millis.sort(null);
        System.out.printf(Locale.ROOT, "%-20s %10.2f %10.2f %10.2f %12d %12d %12d%n", d.name(),
                millis.get(millis.size() / 2), millis.get((int) (millis.size() * 0.99)), millis.get(millis.size() - 1),
                outOfOrder[0], gaps[0], never[0]);
    }

    private static List<Event> batch(int k) {
        List<Event> events = new ArrayList<>(BATCH);
        String order = "o-" + k;
        for (int i = 0; i < BATCH; i++) {
            byte[] json = ("{\"orderId\":\"" + order + "\",\"sku\":\"sku-" + i + "\",\"quantity\":" + (i + 1)
                    + ",\"priceCents\":1234}").getBytes(StandardCharsets.UTF_8);
            events.add(new Event(EventIds.next(), i == 0 ? "OrderPlaced" : "ItemAdded", json, order));
        }
        return events;
    }

    private static HikariDataSource pool(String schema, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(URL);
        config.setUsername(USER);
        config.setPassword(PASSWORD);
        config.setSchema(schema);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(size);
        return new HikariDataSource(config);
    }

    private static final String EVENTS_V1 = """
            CREATE TABLE rewind_events (
                global_position BIGINT NOT NULL, stream_id TEXT NOT NULL, stream_version BIGINT NOT NULL,
                event_id UUID NOT NULL, type TEXT NOT NULL, schema_version INT NOT NULL,
                recorded_at TIMESTAMPTZ NOT NULL, recorded_at_nanos SMALLINT NOT NULL, payload BYTEA NOT NULL,
                correlation_id TEXT, causation_id TEXT, metadata JSONB NOT NULL,
                batch_first BIGINT NOT NULL, batch_size INT NOT NULL,
                CONSTRAINT rewind_events_pkey PRIMARY KEY (global_position),
                CONSTRAINT rewind_events_stream_version_key UNIQUE (stream_id, stream_version),
                CONSTRAINT rewind_events_event_id_key UNIQUE (event_id));
            CREATE INDEX rewind_events_type_idx ON rewind_events (type, global_position);
            CREATE INDEX rewind_events_time_idx ON rewind_events (recorded_at, recorded_at_nanos, global_position);
            """;

    /** Binds the 10 arrays of a batch from parameter {@code from} on: ids, types, versions, payloads, correlation, causation, metadata. */
    private static int bindEvents(Connection c, PreparedStatement q, int from, List<Event> events) throws SQLException {
        int n = events.size();
        UUID[] ids = new UUID[n];
        String[] types = new String[n];
        Integer[] versions = new Integer[n];
        byte[][] payloads = new byte[n][];
        String[] correlation = new String[n];
        String[] causation = new String[n];
        String[] metadata = new String[n];
        for (int i = 0; i < n; i++) {
            Event e = events.get(i);
            ids[i] = e.id();
            types[i] = e.type();
            versions[i] = 1;
            payloads[i] = e.payload();
            correlation[i] = e.correlation();
            metadata[i] = "{}";
        }
        q.setArray(from++, c.createArrayOf("uuid", ids));
        q.setArray(from++, c.createArrayOf("text", types));
        q.setArray(from++, c.createArrayOf("int4", versions));
        q.setArray(from++, c.createArrayOf("bytea", payloads));
        q.setArray(from++, c.createArrayOf("text", correlation));
        q.setArray(from++, c.createArrayOf("text", causation));
        q.setArray(from++, c.createArrayOf("text", metadata));
        return from;
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }

    /** The reference: Axon's table shape and its JDBC batch in auto-commit. */
    static final class AxonLike implements Design {
        @Override
        public String name() {
            return "axon-like";
        }

        @Override
        public String ddl() {
            return """
                    CREATE TABLE domain_event_entry (
                        global_index BIGSERIAL PRIMARY KEY, event_identifier VARCHAR(255) NOT NULL UNIQUE,
                        meta_data BYTEA, payload BYTEA NOT NULL, payload_revision VARCHAR(255),
                        payload_type VARCHAR(255) NOT NULL, time_stamp VARCHAR(255) NOT NULL,
                        aggregate_identifier VARCHAR(255) NOT NULL, sequence_number BIGINT NOT NULL,
                        type VARCHAR(255), UNIQUE (aggregate_identifier, sequence_number));
                    """;
        }

        @Override
        public Instance open(String schema, int writers) {
            HikariDataSource ds = pool(schema, writers);
            return new Instance() {
                @Override
                public void append(String stream, List<Event> batch) throws SQLException {
                    try (Connection c = ds.getConnection(); PreparedStatement q = c.prepareStatement(
                            "INSERT INTO domain_event_entry (event_identifier, meta_data, payload, payload_revision,"
                                    + " payload_type, time_stamp, aggregate_identifier, sequence_number, type)"
                                    + " VALUES (?, ?, ?, NULL, ?, ?, ?, ?, 'Order')")) {
                        String at = now().toString();
                        long seq = 0;
                        for (Event e : batch) {
                            q.setString(1, e.id().toString());
                            q.setBytes(2, "{}".getBytes(StandardCharsets.UTF_8));
                            q.setBytes(3, e.payload());
                            q.setString(4, e.type());
                            q.setString(5, at);
                            q.setString(6, stream);
                            q.setLong(7, seq++);
                            q.addBatch();
                        }
                        q.executeBatch();
                    }
                }

                @Override
                public void close() {
                    ds.close();
                }
            };
        }

        @Override
        public String tailQuery(String schema) {
            return "SELECT global_index, event_identifier::uuid, global_index FROM " + schema + ".domain_event_entry"
                    + " WHERE global_index > ? ORDER BY global_index LIMIT 1000";
        }

        @Override
        public void bindCursor(PreparedStatement q, long[] cursor) throws SQLException {
            q.setLong(1, cursor[0]);
        }
    }

    /** Schema V1-V3 as before ADR 0010: one function call per append, the lock held until commit. */
    static final class LockPerAppend implements Design {
        @Override
        public String name() {
            return "lock-per-append";
        }

        @Override
        public String ddl() {
            return EVENTS_V1 + """
                    CREATE FUNCTION rewind_append(
                        p_lock BIGINT, p_channel TEXT, p_stream TEXT, p_expected BIGINT,
                        p_ids UUID[], p_types TEXT[], p_schema_versions INT[], p_payloads BYTEA[],
                        p_correlation_ids TEXT[], p_causation_ids TEXT[], p_metadata JSONB[],
                        p_now TIMESTAMPTZ, p_now_nanos SMALLINT,
                        OUT status TEXT, OUT stream_version BIGINT, OUT first_position BIGINT,
                        OUT recorded_at TIMESTAMPTZ, OUT recorded_at_nanos SMALLINT)
                    LANGUAGE plpgsql VOLATILE SET plan_cache_mode = force_custom_plan AS $$
                    DECLARE
                        n INT := cardinality(p_ids);
                        last_position BIGINT;
                        last_at TIMESTAMPTZ;
                        last_nanos SMALLINT;
                    BEGIN
                        PERFORM pg_advisory_xact_lock(p_lock);
                        IF EXISTS (SELECT 1 FROM rewind_events e WHERE e.event_id = ANY (p_ids)) THEN
                            status := 'known_id';
                            RETURN;
                        END IF;
                        SELECT coalesce(max(e.stream_version), -1) INTO stream_version
                            FROM rewind_events e WHERE e.stream_id = p_stream;
                        IF p_expected <> -2 AND p_expected <> stream_version THEN
                            status := 'conflict';
                            RETURN;
                        END IF;
                        SELECT e.global_position, e.recorded_at, e.recorded_at_nanos INTO last_position, last_at, last_nanos
                            FROM rewind_events e ORDER BY e.global_position DESC LIMIT 1;
                        first_position := coalesce(last_position + 1, 0);
                        recorded_at := p_now;
                        recorded_at_nanos := p_now_nanos;
                        IF last_position IS NOT NULL AND (last_at, last_nanos) > (p_now, p_now_nanos) THEN
                            recorded_at := last_at;
                            recorded_at_nanos := last_nanos;
                        END IF;
                        INSERT INTO rewind_events (global_position, stream_id, stream_version, event_id, type,
                            schema_version, recorded_at, recorded_at_nanos, payload, correlation_id, causation_id,
                            metadata, batch_first, batch_size)
                        SELECT first_position + i - 1, p_stream, stream_version + i, p_ids[i], p_types[i],
                               p_schema_versions[i], recorded_at, recorded_at_nanos, p_payloads[i],
                               p_correlation_ids[i], p_causation_ids[i], p_metadata[i], first_position, n
                        FROM generate_subscripts(p_ids, 1) AS i;
                        PERFORM pg_notify(p_channel, (first_position + n)::TEXT);
                        status := 'appended';
                    END
                    $$;
                    """;
        }

        @Override
        public Instance open(String schema, int writers) {
            HikariDataSource ds = pool(schema, writers);
            return new Instance() {
                @Override
                public void append(String stream, List<Event> batch) throws SQLException {
                    try (Connection c = ds.getConnection(); PreparedStatement q = c.prepareStatement(
                            "SELECT status FROM rewind_append(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb[], ?, ?)")) {
                        q.setLong(1, LOCK_KEY);
                        q.setString(2, "rewind_" + schema);
                        q.setString(3, stream);
                        q.setLong(4, -1);
                        int p = bindEvents(c, q, 5, batch);
                        q.setObject(p++, now());
                        q.setShort(p, (short) 0);
                        try (ResultSet rs = q.executeQuery()) {
                            rs.next();
                            if (!"appended".equals(rs.getString(1))) {
                                throw new IllegalStateException(rs.getString(1));
                            }
                        }
                    }
                }

                @Override
                public void close() {
                    ds.close();
                }
            };
        }

        @Override
        public String tailQuery(String schema) {
            return "SELECT global_position, event_id, global_position FROM " + schema + ".rewind_events"
                    + " WHERE global_position > ? ORDER BY global_position LIMIT 1000";
        }

        @Override
        public void bindCursor(PreparedStatement q, long[] cursor) throws SQLException {
            q.setLong(1, cursor[0]);
        }
    }

    /** The same lock; an instance gathers concurrent appends and sends each group in one call. */
    static final class GroupCommitted implements Design {
        @Override
        public String name() {
            return "group-commit";
        }

        @Override
        public String ddl() {
            return EVENTS_V1 + """
                    CREATE FUNCTION rewind_append_group(
                        p_lock BIGINT, p_channel TEXT, p_streams TEXT[], p_expected BIGINT[], p_sizes INT[],
                        p_ids UUID[], p_types TEXT[], p_schema_versions INT[], p_payloads BYTEA[],
                        p_correlation_ids TEXT[], p_causation_ids TEXT[], p_metadata JSONB[],
                        p_now TIMESTAMPTZ, p_now_nanos SMALLINT)
                    RETURNS TABLE (status TEXT, stream_version BIGINT, first_position BIGINT,
                                   recorded_at TIMESTAMPTZ, recorded_at_nanos SMALLINT)
                    LANGUAGE plpgsql VOLATILE SET plan_cache_mode = force_custom_plan AS $$
                    DECLARE
                        batches INT := cardinality(p_streams);
                        next_position BIGINT;
                        last_at TIMESTAMPTZ;
                        last_nanos SMALLINT;
                        at TIMESTAMPTZ := p_now;
                        at_nanos SMALLINT := p_now_nanos;
                        known BOOLEAN[];
                        versions BIGINT[];
                        firsts BIGINT[] := array_fill(NULL::BIGINT, ARRAY[batches]);
                        offsets INT[] := array_fill(0, ARRAY[batches]);
                        batch_of INT[];
                        b INT;
                        r INT;
                        o INT := 0;
                        appended BOOLEAN := false;
                    BEGIN
                        PERFORM pg_advisory_xact_lock(p_lock);
                        SELECT e.global_position + 1, e.recorded_at, e.recorded_at_nanos INTO next_position, last_at, last_nanos
                            FROM rewind_events e ORDER BY e.global_position DESC LIMIT 1;
                        next_position := coalesce(next_position, 0);
                        IF last_at IS NOT NULL AND (last_at, last_nanos) > (p_now, p_now_nanos) THEN
                            at := last_at;
                            at_nanos := last_nanos;
                        END IF;
                        FOR b IN 1 .. batches LOOP
                            offsets[b] := o;
                            o := o + p_sizes[b];
                        END LOOP;
                        batch_of := array_fill(0, ARRAY[o]);
                        FOR b IN 1 .. batches LOOP
                            FOR r IN offsets[b] + 1 .. offsets[b] + p_sizes[b] LOOP
                                batch_of[r] := b;
                            END LOOP;
                        END LOOP;
                        SELECT array_agg(EXISTS (SELECT 1 FROM rewind_events e
                                                 WHERE e.event_id = ANY (p_ids[offsets[k] + 1 : offsets[k] + p_sizes[k]]))
                                         ORDER BY k),
                               array_agg((SELECT coalesce(max(e.stream_version), -1) FROM rewind_events e
                                          WHERE e.stream_id = p_streams[k]) ORDER BY k)
                            INTO known, versions
                            FROM generate_series(1, batches) k;
                        FOR b IN 1 .. batches LOOP
                            status := CASE WHEN known[b] THEN 'known_id'
                                           WHEN p_expected[b] <> -2 AND p_expected[b] <> versions[b] THEN 'conflict'
                                           ELSE 'appended' END;
                            stream_version := versions[b];
                            first_position := NULL;
                            recorded_at := at;
                            recorded_at_nanos := at_nanos;
                            IF status = 'appended' THEN
                                first_position := next_position;
                                firsts[b] := next_position;
                                next_position := next_position + p_sizes[b];
                                appended := true;
                            END IF;
                            RETURN NEXT;
                        END LOOP;
                        IF appended THEN
                            INSERT INTO rewind_events (global_position, stream_id, stream_version, event_id, type,
                                schema_version, recorded_at, recorded_at_nanos, payload, correlation_id, causation_id,
                                metadata, batch_first, batch_size)
                            SELECT firsts[u.b] + u.i - 1 - offsets[u.b], p_streams[u.b],
                                   versions[u.b] + u.i - offsets[u.b], u.id, u.type,
                                   u.sv, at, at_nanos, u.payload, u.corr, u.caus, u.meta, firsts[u.b], p_sizes[u.b]
                            FROM unnest(p_ids, p_types, p_schema_versions, p_payloads, p_correlation_ids,
                                        p_causation_ids, p_metadata, batch_of) WITH ORDINALITY
                                 AS u(id, type, sv, payload, corr, caus, meta, b, i)
                            WHERE firsts[u.b] IS NOT NULL;
                            PERFORM pg_notify(p_channel, next_position::TEXT);
                        END IF;
                    END
                    $$;
                    """;
        }

        /** A batch waiting for its group. */
        static final class Slot {
            final String stream;
            final List<Event> events;
            long ticket;
            volatile String status;

            Slot(String stream, List<Event> events) {
                this.stream = stream;
                this.events = events;
            }
        }

        @Override
        public Instance open(String schema, int writers) {
            HikariDataSource ds = pool(schema, 2);
            List<Slot> queue = new ArrayList<>();
            AtomicLong acknowledged = new AtomicLong();
            long[] tickets = {0};
            AtomicLong groups = new AtomicLong();
            AtomicLong grouped = new AtomicLong();
            AtomicLong callNanos = new AtomicLong();
            GroupCommit[] gc = new GroupCommit[1];
            gc[0] = new GroupCommit(() -> {
                List<Slot> group;
                synchronized (queue) {
                    group = new ArrayList<>(queue);
                    queue.clear();
                    gc[0].taken();
                }
                if (group.isEmpty()) {
                    return false;
                }
                long t0 = System.nanoTime();
                try {
                    commit(ds, schema, group);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
                gc[0].synced(System.nanoTime() - t0);
                callNanos.addAndGet(System.nanoTime() - t0);
                groups.incrementAndGet();
                grouped.addAndGet(group.size());
                acknowledged.set(group.get(group.size() - 1).ticket);
                return true;
            }, acknowledged::get, true);
            return new Instance() {
                @Override
                public void append(String stream, List<Event> batch) {
                    Slot slot = new Slot(stream, batch);
                    gc[0].enter();
                    try {
                        synchronized (queue) {
                            slot.ticket = ++tickets[0];
                            queue.add(slot);
                        }
                        gc[0].queued();
                        gc[0].awaitAcknowledged(slot.ticket);
                    } finally {
                        gc[0].leave();
                    }
                    if (!"appended".equals(slot.status)) {
                        throw new IllegalStateException(slot.status);
                    }
                }

                @Override
                public double perCommit() {
                    return grouped.get() / (double) Math.max(1, groups.get());
                }

                @Override
                public void close() {
                    System.out.printf(Locale.ROOT, "  (group-commit: %d groups, %.2f ms per call)%n", groups.get(),
                            callNanos.get() / 1e6 / Math.max(1, groups.get()));
                    ds.close();
                }
            };
        }

        private static void commit(HikariDataSource ds, String schema, List<Slot> group) throws SQLException {
            List<Event> all = new ArrayList<>();
            String[] streams = new String[group.size()];
            Long[] expected = new Long[group.size()];
            Integer[] sizes = new Integer[group.size()];
            for (int i = 0; i < group.size(); i++) {
                Slot s = group.get(i);
                streams[i] = s.stream;
                expected[i] = -1L;
                sizes[i] = s.events.size();
                all.addAll(s.events);
            }
            try (Connection c = ds.getConnection(); PreparedStatement q = c.prepareStatement(
                    "SELECT status FROM rewind_append_group(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb[], ?, ?)")) {
                q.setLong(1, LOCK_KEY);
                q.setString(2, "rewind_" + schema);
                q.setArray(3, c.createArrayOf("text", streams));
                q.setArray(4, c.createArrayOf("int8", expected));
                q.setArray(5, c.createArrayOf("int4", sizes));
                int p = bindEvents(c, q, 6, all);
                q.setObject(p++, now());
                q.setShort(p, (short) 0);
                try (ResultSet rs = q.executeQuery()) {
                    for (Slot s : group) {
                        rs.next();
                        s.status = rs.getString(1);
                    }
                }
            }
        }

        @Override
        public String tailQuery(String schema) {
            return new LockPerAppend().tailQuery(schema);
        }

        @Override
        public void bindCursor(PreparedStatement q, long[] cursor) throws SQLException {
            q.setLong(1, cursor[0]);
        }
    }

    /**
     * Not a prototype: {@code PostgresStorage} as built after ADR 0010 (schema V4, the kernel's group
     * commit), through its storage port, so that the chosen design's prototype and its implementation
     * are measured in the same run.
     */
    static final class Implemented implements Design {
        @Override
        public String name() {
            return "implemented";
        }

        @Override
        public String ddl() {
            return "SELECT 1"; // the storage migrates its schema itself
        }

        @Override
        public Instance open(String schema, int writers) {
            PostgresStorage storage = PostgresStorage.builder(URL).user(USER).password(PASSWORD).schema(schema)
                    .poolSize(writers + 1).build();
            return new Instance() {
                @Override
                public void append(String stream, List<Event> batch) {
                    List<SerializedEvent> events = new ArrayList<>(batch.size());
                    for (Event e : batch) {
                        events.add(new SerializedEvent(e.id(), e.type(), 1, e.payload(),
                                Metadata.correlatedBy(e.correlation())));
                    }
                    storage.append(stream, ExpectedVersion.noStream(), events, Clock.systemUTC());
                }

                @Override
                public double perCommit() {
                    return storage.appender().batchesPerGroup();
                }

                @Override
                public void close() {
                    storage.close();
                }
            };
        }

        @Override
        public String tailQuery(String schema) {
            return new LockPerAppend().tailQuery(schema);
        }

        @Override
        public void bindCursor(PreparedStatement q, long[] cursor) throws SQLException {
            q.setLong(1, cursor[0]);
        }
    }

    /** Positions from a sequence, no lock, visibility by transaction id below the oldest open one. */
    static final class XidHorizon implements Design {
        private final boolean notifyInside;

        XidHorizon(boolean notifyInside) {
            this.notifyInside = notifyInside;
        }

        @Override
        public String name() {
            return notifyInside ? "xid-horizon+notify" : "xid-horizon";
        }

        @Override
        public String ddl() {
            return """
                    CREATE SEQUENCE rewind_positions MINVALUE 0 START 0;
                    CREATE TABLE rewind_events (
                        global_position BIGINT NOT NULL DEFAULT nextval('rewind_positions'),
                        tx XID8 NOT NULL DEFAULT pg_current_xact_id(),
                        stream_id TEXT NOT NULL, stream_version BIGINT NOT NULL,
                        event_id UUID NOT NULL, type TEXT NOT NULL, schema_version INT NOT NULL,
                        recorded_at TIMESTAMPTZ NOT NULL, recorded_at_nanos SMALLINT NOT NULL, payload BYTEA NOT NULL,
                        correlation_id TEXT, causation_id TEXT, metadata JSONB NOT NULL,
                        CONSTRAINT rewind_events_pkey PRIMARY KEY (global_position),
                        CONSTRAINT rewind_events_stream_version_key UNIQUE (stream_id, stream_version),
                        CONSTRAINT rewind_events_event_id_key UNIQUE (event_id));
                    CREATE INDEX rewind_events_tx_idx ON rewind_events (tx, global_position);
                    CREATE INDEX rewind_events_type_idx ON rewind_events (type, global_position);
                    CREATE INDEX rewind_events_time_idx ON rewind_events (recorded_at, recorded_at_nanos, global_position);
                    CREATE FUNCTION rewind_append_xid(
                        p_channel TEXT, p_notify BOOLEAN, p_stream TEXT, p_expected BIGINT,
                        p_ids UUID[], p_types TEXT[], p_schema_versions INT[], p_payloads BYTEA[],
                        p_correlation_ids TEXT[], p_causation_ids TEXT[], p_metadata JSONB[],
                        p_now TIMESTAMPTZ, p_now_nanos SMALLINT,
                        OUT status TEXT, OUT stream_version BIGINT, OUT first_position BIGINT)
                    LANGUAGE plpgsql VOLATILE SET plan_cache_mode = force_custom_plan AS $$
                    BEGIN
                        IF EXISTS (SELECT 1 FROM rewind_events e WHERE e.event_id = ANY (p_ids)) THEN
                            status := 'known_id';
                            RETURN;
                        END IF;
                        SELECT coalesce(max(e.stream_version), -1) INTO stream_version
                            FROM rewind_events e WHERE e.stream_id = p_stream;
                        IF p_expected <> -2 AND p_expected <> stream_version THEN
                            status := 'conflict';
                            RETURN;
                        END IF;
                        WITH ins AS (
                            INSERT INTO rewind_events (stream_id, stream_version, event_id, type, schema_version,
                                recorded_at, recorded_at_nanos, payload, correlation_id, causation_id, metadata)
                            SELECT p_stream, stream_version + i, p_ids[i], p_types[i], p_schema_versions[i],
                                   p_now, p_now_nanos, p_payloads[i], p_correlation_ids[i], p_causation_ids[i], p_metadata[i]
                            FROM generate_subscripts(p_ids, 1) AS i
                            RETURNING global_position)
                        SELECT min(global_position) INTO first_position FROM ins;
                        IF p_notify THEN
                            PERFORM pg_notify(p_channel, first_position::TEXT);
                        END IF;
                        status := 'appended';
                    END
                    $$;
                    """;
        }

        @Override
        public Instance open(String schema, int writers) {
            HikariDataSource ds = pool(schema, writers);
            return new Instance() {
                @Override
                public void append(String stream, List<Event> batch) throws SQLException {
                    try (Connection c = ds.getConnection(); PreparedStatement q = c.prepareStatement(
                            "SELECT status FROM rewind_append_xid(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb[], ?, ?)")) {
                        q.setString(1, "rewind_" + schema);
                        q.setBoolean(2, notifyInside);
                        q.setString(3, stream);
                        q.setLong(4, -1);
                        int p = bindEvents(c, q, 5, batch);
                        q.setObject(p++, now());
                        q.setShort(p, (short) 0);
                        try (ResultSet rs = q.executeQuery()) {
                            rs.next();
                            if (!"appended".equals(rs.getString(1))) {
                                throw new IllegalStateException(rs.getString(1));
                            }
                        }
                    }
                }

                @Override
                public void close() {
                    ds.close();
                }
            };
        }

        @Override
        public String tailQuery(String schema) {
            return "SELECT global_position, event_id, tx::text::bigint FROM " + schema + ".rewind_events"
                    + " WHERE tx < pg_snapshot_xmin(pg_current_snapshot()) AND (tx, global_position) > (?::text::xid8, ?)"
                    + " ORDER BY tx, global_position LIMIT 1000";
        }

        @Override
        public void bindCursor(PreparedStatement q, long[] cursor) throws SQLException {
            q.setString(1, Long.toString(Math.max(0, cursor[0])));
            q.setLong(2, cursor[1]);
        }
    }
}
