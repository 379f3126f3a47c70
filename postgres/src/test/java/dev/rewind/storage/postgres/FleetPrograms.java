package dev.rewind.storage.postgres;

import ch.qos.logback.classic.Level;
import dev.rewind.ExpectedVersion;
import dev.rewind.ProjectionStatus;
import dev.rewind.Rewind;
import dev.rewind.StoredEvent;
import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.projection.FailurePolicy;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.projection.ProjectionVerification;
import dev.rewind.projection.ReadPoint;
import dev.rewind.storage.postgres.TableViews.Counted;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * The programs of the multi-instance proof of owned and table projections (issue 17, "Tests";
 * {@code OwnedFleetProofTest}), run in child JVMs: an instance with four owned projections, and a writer.
 *
 * <p>The four projections, all fed by {@link Counted} events:
 * <ul>
 *   <li>{@link TableViews#NAME}: a table projection, one row per event in {@code tv_rows} (the column
 *       {@code writer} takes the writing session's {@code application_name}, which is the instance id) and a
 *       total per counter in {@code tv_totals};</li>
 *   <li>{@link #STREAMS}: a table projection, events, amount and last version per stream in {@code fs_streams};</li>
 *   <li>{@link #SUMS}: in memory (shared snapshot), amount and events per counter;</li>
 *   <li>{@link #VERSIONS}: in memory, the next version expected per stream, counting every event that is not
 *       the one expected (a skipped, repeated or reordered event of a stream).</li>
 * </ul>
 */
final class FleetPrograms {
    static final String STREAMS = "fleet_streams";
    static final String SUMS = "fleet_sums";
    static final String VERSIONS = "fleet_versions";
    /** The four owned projections. */
    static final List<String> NAMES = List.of(TableViews.NAME, STREAMS, SUMS, VERSIONS);

    private FleetPrograms() {
    }

    /** Totals per stream in a table. */
    @Projection(STREAMS)
    public static class StreamTotals {
        @EventHandler
        void on(Counted e, StoredEvent<?> stored, Connection c) throws SQLException {
            try (PreparedStatement q = c.prepareStatement("INSERT INTO fs_streams (stream_id, events, amount, last_version)"
                    + " VALUES (?, 1, ?, ?) ON CONFLICT (stream_id) DO UPDATE SET events = fs_streams.events + 1,"
                    + " amount = fs_streams.amount + EXCLUDED.amount,"
                    + " last_version = greatest(fs_streams.last_version, EXCLUDED.last_version)")) {
                q.setString(1, stored.streamId());
                q.setLong(2, e.amount());
                q.setLong(3, stored.streamVersion());
                q.executeUpdate();
            }
        }

        /** @return nothing in memory: the view is in fs_streams */
        @QueryState
        public String state() {
            return "see fs_streams";
        }
    }

    /** Amount and events per counter, in memory. */
    @Projection(SUMS)
    public static class Sums {
        private final Map<String, Long> amounts = new TreeMap<>();
        private final Map<String, Long> events = new TreeMap<>();

        @EventHandler
        void on(Counted e) {
            amounts.merge(e.counter(), e.amount(), Long::sum);
            events.merge(e.counter(), 1L, Long::sum);
        }

        /** @return "counter=amount/events" pairs, sorted */
        @QueryState
        public String state() {
            return digest(amounts, events);
        }
    }

    /** The next version expected per stream, and how many events were not the one expected. */
    @Projection(VERSIONS)
    public static class Versions {
        private final Map<String, Long> next = new TreeMap<>();
        private long unexpected;

        @EventHandler
        void on(Counted e, StoredEvent<?> stored) {
            long expected = next.getOrDefault(stored.streamId(), 0L);
            if (stored.streamVersion() != expected) {
                unexpected++;
            }
            next.put(stored.streamId(), Math.max(expected, stored.streamVersion() + 1));
        }

        /** @return "unexpected=n stream=next,..." */
        @QueryState
        public String state() {
            return "unexpected=" + unexpected + " " + next.entrySet().stream().map(x -> x.getKey() + "=" + x.getValue())
                    .collect(Collectors.joining(","));
        }
    }

    /** @return "key=amount/events" pairs, sorted by key, as {@link Sums} and the parent's expectation print them */
    static String digest(Map<String, Long> amounts, Map<String, Long> events) {
        return new TreeMap<>(amounts).entrySet().stream()
                .map(x -> x.getKey() + "=" + x.getValue() + "/" + events.get(x.getKey()))
                .collect(Collectors.joining(","));
    }

    /** Creates the tables of both table projections in the schema. */
    static void createTables(String schema) throws SQLException {
        TableViews.createTables(schema);
        try (Connection c = TestDatabase.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + PostgresSettings.quote(schema) + ".fs_streams (stream_id text"
                    + " PRIMARY KEY, events bigint NOT NULL, amount bigint NOT NULL, last_version bigint NOT NULL)");
        }
    }

    /** @return an instance with the four projections, owned, under the lease given */
    static Rewind.Builder builder(PostgresStorage storage, String instanceId, Duration lease) {
        ProjectionSettings inMemory = ProjectionSettings.async().owned().batchSize(50).linger(Duration.ZERO)
                .snapshotEvery(50, Duration.ofMillis(300));
        return Rewind.builder().discoverPlugins(false).storage(storage).eventTypes(Counted.class)
                .projection(TableViews.Rows.class).projection(StreamTotals.class).projection(Sums.class)
                .projection(Versions.class)
                .projectionSettings(TableViews.NAME, TableViews.settings(50, FailurePolicy.stop()))
                .projectionSettings(STREAMS, TableViews.settings(50, FailurePolicy.stop()))
                .projectionSettings(SUMS, inMemory).projectionSettings(VERSIONS, inMemory)
                .instanceId(instanceId).leaseDuration(lease);
    }

    /**
     * @param url the JDBC URL, with the instance's {@code ApplicationName}
     * @param connectionTimeout how long a call waits for a connection
     * @return a storage on it with room for four workers, the heartbeat and queries at once
     */
    static PostgresStorage storage(String url, String schema, Duration connectionTimeout) {
        return PostgresStorage.builder(url).user(TestDatabase.USER).password(TestDatabase.PASSWORD).schema(schema)
                .poolSize(8).pollInterval(Duration.ofMillis(200)).connectionTimeout(connectionTimeout).build();
    }

    private static PrintStream stdout() {
        return new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    }

    /**
     * An instance with the four projections. Logs the runtime's take-overs and step-downs (INFO). Prints
     * "READY", then answers commands from its standard input:
     * <ul>
     *   <li>{@code VERIFY name}: when it owns the projection, waits (bounded) until it handled every stored
     *       event, then prints "RESULT name VERIFIED position ok problem" and "STATE name state"; when it
     *       does not, "RESULT name ELSEWHERE owner";</li>
     *   <li>{@code FENCE}: one line "FENCE what exception message" per lease operation or fenced write its
     *       projection store refused, then "FENCE-END".</li>
     * </ul>
     * With "monitor", prints "STATUS name state ownedHere position" whenever a projection's state or
     * ownership changes (looked at every 50 ms). Arguments: schema, JDBC URL, instance id, lease in
     * milliseconds, "monitor" or "quiet".
     */
    static final class Instance {
        public static void main(String[] args) throws Exception {
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.rewind.internal.projection"))
                    .setLevel(Level.INFO);
            PrintStream out = stdout();
            String schema = args[0];
            String id = args[2];
            // a call that cannot get a connection fails within a second: the status watcher of an instance cut
            // off from the database must not be held up for longer than that
            PostgresStorage storage = storage(args[1], schema, Duration.ofSeconds(1));
            GatedProjectionStore store = new GatedProjectionStore((PostgresProjectionStore) storage.projectionStore());
            Rewind rewind = builder(storage, id, Duration.ofMillis(Long.parseLong(args[3]))).projectionStore(store).build();
            if (args[4].equals("monitor")) {
                for (String name : NAMES) { // one each: a status that waits for the database holds up no other
                    Thread monitor = new Thread(() -> monitor(rewind, name, out), "fleet-monitor-" + name);
                    monitor.setDaemon(true);
                    monitor.start();
                }
            }
            out.println("READY " + id);
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] f = line.split(" ");
                switch (f[0]) {
                    case "VERIFY" -> verify(rewind, storage, f[1], out);
                    case "FENCE" -> {
                        store.renewRefused.forEach(e -> out.println("FENCE renew " + e.getClass().getSimpleName() + " "
                                + e.getMessage()));
                        store.refused.forEach(e -> out.println("FENCE write " + e.getClass().getSimpleName() + " "
                                + e.getMessage()));
                        out.println("FENCE-END");
                    }
                    default -> out.println("ignored " + line);
                }
            }
            System.exit(0);
        }

        private static void verify(Rewind rewind, PostgresStorage storage, String name, PrintStream out) {
            long head = storage.nextPosition() - 1; // the writers have stopped
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            ProjectionStatus st = rewind.projections().status(name);
            while (st.ownedHere() && st.lastPosition() < head && System.nanoTime() < deadline) {
                LockSupport.parkNanos(20_000_000L); // a bounded poll of the projection's progress
                st = rewind.projections().status(name);
            }
            if (!st.ownedHere()) {
                out.println("RESULT " + name + " ELSEWHERE " + st.owner());
                return;
            }
            ProjectionVerification v = rewind.projections().verify(name);
            out.println("STATE " + name + " " + rewind.projections().<String>state(name, ReadPoint.now()));
            out.println("RESULT " + name + " VERIFIED " + v.position() + " " + v.ok() + " " + v.problem());
        }

        private static void monitor(Rewind rewind, String name, PrintStream out) {
            String last = null;
            while (true) {
                try {
                    ProjectionStatus st = rewind.projections().status(name);
                    String now = st.state() + " " + st.ownedHere();
                    if (!now.equals(last)) {
                        out.println("STATUS " + name + " " + now + " " + st.lastPosition());
                        last = now;
                    }
                } catch (RuntimeException unavailable) {
                    // the database cannot be reached (a test cut it off): the next look tells
                }
                LockSupport.parkNanos(50_000_000L); // a watcher's interval, not a wait for something
            }
        }
    }

    /**
     * Appends {@link Counted} events from several threads, each a batch of 1 to 3 events to one of its own
     * streams, then a pause of 40 to 120 ms (a steady load, not a flood: the machine running the tests is
     * small). Prints "READY", and on "STOP" from its standard input stops, prints "STOPPED events" and
     * exits. An append that fails is printed ("ERROR") and the thread goes on. Arguments: schema, seed,
     * threads.
     */
    static final class Writer {
        public static void main(String[] args) throws Exception {
            PrintStream out = stdout();
            String schema = args[0];
            long seed = Long.parseLong(args[1]);
            int threads = Integer.parseInt(args[2]);
            PostgresStorage storage = storage(ProofPrograms.url("fleet-writer"), schema, Duration.ofSeconds(10));
            Rewind rewind = Rewind.builder().discoverPlugins(false).storage(storage).eventTypes(Counted.class).build();
            AtomicLong appended = new AtomicLong();
            List<Thread> running = new ArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Thread th = new Thread(() -> {
                    Random random = new Random(seed * 31 + thread);
                    while (!stop.get()) {
                        List<Counted> batch = new ArrayList<>();
                        int n = 1 + random.nextInt(3);
                        for (int i = 0; i < n; i++) {
                            batch.add(new Counted("c" + random.nextInt(6), 1 + random.nextInt(50)));
                        }
                        try {
                            rewind.store().append("fleet-" + thread + "-" + random.nextInt(4), ExpectedVersion.any(), batch);
                            appended.addAndGet(n);
                        } catch (RuntimeException e) {
                            out.println("ERROR thread " + thread + ": " + e);
                        }
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(40 + random.nextInt(81))); // pacing
                    }
                }, "fleet-writer-" + t);
                th.start();
                running.add(th);
            }
            out.println("READY");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.equals("STOP"); line = in.readLine()) {
                out.println("ignored " + line);
            }
            stop.set(true);
            for (Thread th : running) {
                th.join();
            }
            out.println("STOPPED " + appended.get());
            rewind.close();
            System.exit(0);
        }
    }
}
