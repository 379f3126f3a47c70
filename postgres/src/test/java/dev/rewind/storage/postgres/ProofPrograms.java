package dev.rewind.storage.postgres;

import dev.rewind.ConcurrencyConflictException;
import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.Rewind;
import dev.rewind.Subscription;
import dev.rewind.spi.storage.AppendOutcome;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.contract.ContractFixtures;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.postgresql.PGConnection;

/**
 * The programs the tailing proof and the dead-client test run in child JVMs. Appenders print one line
 * per batch saying what became of it, so that the parent knows every event that was committed and every
 * one that was not:
 * <ul>
 *   <li>{@code ACK instance thread n size firstPosition}: acknowledged (written, or found written by a retry);</li>
 *   <li>{@code ROLLED ...}: its transaction was rolled back on purpose;</li>
 *   <li>{@code KILLED ...}: its server process was ended with {@code pg_terminate_backend} before the commit;</li>
 *   <li>{@code REFUSED ...}: a concurrency conflict, nothing written;</li>
 *   <li>{@code LOST ...}: a commit whose connection broke, and a look-up afterwards did not find the batch;</li>
 *   <li>{@code UNAVAILABLE written? message}: a failure a retry got past.</li>
 * </ul>
 * Event ids are {@link #id}s: the parent rebuilds every id from these lines.
 */
final class ProofPrograms {
    private ProofPrograms() {
    }

    /** @return the id of event {@code k} of batch {@code n} of a thread of an appender instance */
    static UUID id(long seed, int instance, int thread, int n, int k) {
        return new UUID(0x1600_0000_0000_0000L | (seed & 0x0000_FFFF_FFFF_FFFFL),
                ((long) instance << 56) | ((long) thread << 48) | ((long) n << 8) | k);
    }

    /** @return the batch whose ids are {@link #id}s, of the contract's {@code Placed} type (a reader can decode it) */
    static List<SerializedEvent> batch(long seed, int instance, int thread, int n, int size) {
        List<SerializedEvent> out = new ArrayList<>(size);
        for (int k = 0; k < size; k++) {
            byte[] json = ("{\"id\":\"proof-" + instance + "-" + thread + "\",\"quantity\":" + (n % 1000) + "}")
                    .getBytes(StandardCharsets.UTF_8);
            out.add(new SerializedEvent(id(seed, instance, thread, n, k), "Placed", 1, json,
                    Metadata.correlatedBy("proof-" + seed)));
        }
        return out;
    }

    /** @return the test server's URL with an application name, which the parent looks for in pg_stat_activity */
    static String url(String application) {
        return TestDatabase.URL + (TestDatabase.URL.contains("?") ? "&" : "?") + "ApplicationName=" + application;
    }

    static PostgresStorage storage(String schema, String application) {
        return PostgresStorage.builder(url(application)).user(TestDatabase.USER).password(TestDatabase.PASSWORD)
                .schema(schema).poolSize(4).pollInterval(Duration.ofMillis(200))
                .connectionTimeout(Duration.ofSeconds(10)).build();
    }

    private static PrintStream stdout() {
        return new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    }

    /**
     * Appends from several threads for a while, each batch one way chosen at random: a group append on
     * the thread's own stream (most of them), an append to a shared stream at an exact expected version
     * (conflicts happen), or a transaction on a connection of its own that holds the store's lock for a
     * random time and then commits or rolls back. Thread 0 ends its own server process in the middle
     * of batch {@code killAt}. Arguments: schema, seed, instance, threads, milliseconds, application
     * name, killAt (-1: none).
     */
    static final class Appender {
        public static void main(String[] args) throws Exception {
            String schema = args[0];
            long seed = Long.parseLong(args[1]);
            int instance = Integer.parseInt(args[2]);
            int threads = Integer.parseInt(args[3]);
            long millis = Long.parseLong(args[4]);
            String application = args[5];
            int killAt = Integer.parseInt(args[6]);
            PrintStream out = stdout();
            PostgresStorage storage = storage(schema, application);
            out.println("READY");
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            List<Thread> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Thread th = new Thread(() -> {
                    try {
                        new Loop(storage, schema, seed, instance, thread, application, out).run(deadline, killAt);
                    } catch (Throwable e) {
                        out.println("ERROR thread " + thread + ": " + e);
                        e.printStackTrace(out);
                    }
                });
                th.start();
                running.add(th);
            }
            for (Thread th : running) {
                th.join();
            }
            storage.close();
            out.println("DONE");
            System.exit(0);
        }
    }

    /** One appending thread of {@link Appender}. */
    private static final class Loop {
        private final PostgresStorage storage;
        private final String schema;
        private final long seed;
        private final int instance;
        private final int thread;
        private final String application;
        private final PrintStream out;
        private final Random random;
        private Connection tx;

        Loop(PostgresStorage storage, String schema, long seed, int instance, int thread, String application,
             PrintStream out) {
            this.storage = storage;
            this.schema = schema;
            this.seed = seed;
            this.instance = instance;
            this.thread = thread;
            this.application = application;
            this.out = out;
            this.random = new Random(seed * 1_000_003L + instance * 7919L + thread);
        }

        void run(long deadline, int killAt) throws Exception {
            String own = "proof-" + instance + "-" + thread;
            for (int n = 0; System.nanoTime() < deadline; n++) {
                int size = 1 + random.nextInt(5);
                List<SerializedEvent> batch = batch(seed, instance, thread, n, size);
                String what = instance + " " + thread + " " + n + " " + size;
                int mode = random.nextInt(8);
                if (thread == 0 && n == killAt) {
                    killedMidBatchOnceUp(own, batch, what);
                } else if (mode < 2) {
                    heldOpen(own, batch, what);
                } else if (mode == 2) {
                    long version = lastVersion("proof-shared");
                    try {
                        AppendOutcome o = retrying("proof-shared", ExpectedVersion.afterVersion(version), batch);
                        out.println("ACK " + what + " " + o.firstPosition());
                    } catch (ConcurrencyConflictException conflict) {
                        out.println("REFUSED " + what);
                    }
                } else {
                    AppendOutcome o = retrying(own, ExpectedVersion.any(), batch);
                    out.println("ACK " + what + " " + o.firstPosition());
                }
            }
            if (tx != null) {
                closeQuietly(tx);
            }
        }

        /** A group append, retried with the same ids while the database is out of reach (at most 90 s). */
        private AppendOutcome retrying(String stream, ExpectedVersion expected, List<SerializedEvent> batch) {
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (true) {
                try {
                    return storage.append(stream, expected, batch, Clock.systemUTC());
                } catch (StorageUnavailableException e) {
                    out.println("UNAVAILABLE " + e.mayHaveBeenWritten() + " " + e.getMessage().replaceAll(" \\(.*", ""));
                    if (System.nanoTime() > giveUp) {
                        throw e;
                    }
                    LockSupport.parkNanos(100_000_000L);
                }
            }
        }

        private long lastVersion(String stream) {
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (true) {
                try {
                    return storage.lastVersion(stream);
                } catch (StorageUnavailableException e) {
                    if (System.nanoTime() > giveUp) {
                        throw e;
                    }
                    LockSupport.parkNanos(100_000_000L);
                }
            }
        }

        /** @return the position of the batch's first event, once the database answers, or -1 */
        private long lookUp(List<SerializedEvent> batch) {
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (true) {
                try {
                    return storage.positionOf(batch.get(0).eventId());
                } catch (StorageUnavailableException e) {
                    if (System.nanoTime() > giveUp) {
                        throw e;
                    }
                    LockSupport.parkNanos(100_000_000L);
                }
            }
        }

        /** A transaction of its own that holds the store's lock for 0-15 ms, then commits or rolls back. */
        private void heldOpen(String stream, List<SerializedEvent> batch, String what) throws InterruptedException {
            boolean commitSent = false;
            try {
                if (tx == null) {
                    tx = DriverManager.getConnection(url(application + "-tx"), TestDatabase.USER, TestDatabase.PASSWORD);
                    tx.setSchema(schema); // as the storage's own pool has it: rewind_append_group names its table unqualified
                    tx.setAutoCommit(false);
                }
                AppendOutcome o = storage.appender().appendOn(tx, stream, ExpectedVersion.any(), batch, Instant.now());
                Thread.sleep(random.nextInt(16));
                if (random.nextInt(3) == 0) {
                    tx.rollback();
                    out.println("ROLLED " + what);
                } else {
                    commitSent = true;
                    tx.commit();
                    out.println("ACK " + what + " " + o.firstPosition());
                }
            } catch (SQLException e) {
                closeQuietly(tx);
                tx = null;
                if (!commitSent) {
                    out.println("ROLLED " + what); // never committed: the server rolled it back
                    return;
                }
                long at = lookUp(batch);
                out.println(at >= 0 ? "ACK " + what + " " + at : "LOST " + what);
            }
        }

        /**
         * {@link #killedMidBatch}, again while the server is restarting: a failure before the kill left
         * the batch uncommitted (its connection closed), so the same batch can be tried again.
         */
        private void killedMidBatchOnceUp(String stream, List<SerializedEvent> batch, String what)
                throws SQLException {
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (true) {
                try {
                    killedMidBatch(stream, batch, what);
                    return;
                } catch (SQLException e) {
                    if (System.nanoTime() > giveUp) {
                        throw e;
                    }
                    LockSupport.parkNanos(100_000_000L); // the server is down for a moment
                }
            }
        }

        /** Writes a batch in a transaction of its own, then ends that transaction's server process from another session. */
        private void killedMidBatch(String stream, List<SerializedEvent> batch, String what) throws SQLException {
            try (Connection c = DriverManager.getConnection(url(application + "-killed"), TestDatabase.USER,
                    TestDatabase.PASSWORD)) {
                c.setSchema(schema);
                c.setAutoCommit(false);
                storage.appender().appendOn(c, stream, ExpectedVersion.any(), batch, Instant.now());
                int pid = c.unwrap(PGConnection.class).getBackendPID();
                try (Connection other = TestDatabase.connect();
                     PreparedStatement kill = other.prepareStatement("SELECT pg_terminate_backend(?, 10000)")) {
                    kill.setInt(1, pid);
                    try (ResultSet rs = kill.executeQuery()) {
                        rs.next();
                        if (!rs.getBoolean(1)) {
                            out.println("ERROR pg_terminate_backend(" + pid + ") returned false");
                        }
                    }
                }
                try {
                    c.commit();
                    out.println("ERROR the commit of a batch whose server process was ended succeeded: " + what);
                } catch (SQLException expected) {
                    out.println("KILLED " + what);
                }
            }
        }

        private static void closeQuietly(Connection c) {
            if (c == null) {
                return; // the connection was never made (the server was restarting)
            }
            try {
                c.close();
            } catch (SQLException ignored) {
                // broken already
            }
        }
    }

    /**
     * Tails the store through a {@link Rewind} subscription (LISTEN/NOTIFY, polling as the fallback)
     * and writes every event it is given as "position eventId recordedAt" to a file; on "STOP" from its
     * standard input it waits until it has been given everything stored, then prints "DONE count".
     * Arguments: schema, file.
     */
    static final class Reader {
        public static void main(String[] args) throws Exception {
            String schema = args[0];
            Path file = Path.of(args[1]);
            PrintStream out = stdout();
            PostgresStorage storage = storage(schema, "i16-proof-reader");
            Rewind rewind = ContractFixtures.builder().storage(storage).build();
            AtomicLong last = new AtomicLong(-1);
            Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            Subscription subscription = rewind.store().subscribe(e -> {
                try {
                    w.write(e.globalPosition() + " " + e.eventId() + " " + e.recordedAt() + "\n");
                } catch (java.io.IOException io) {
                    throw new IllegalStateException(io);
                }
                last.set(e.globalPosition());
            });
            out.println("READY");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.equals("STOP"); line = in.readLine()) {
                out.println("ignored " + line);
            }
            long target = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline) {
                try {
                    target = storage.nextPosition();
                    break;
                } catch (StorageUnavailableException e) {
                    LockSupport.parkNanos(200_000_000L);
                }
            }
            while (last.get() + 1 < target && System.nanoTime() < deadline) {
                LockSupport.parkNanos(50_000_000L); // delivery is the watcher's: notifications, else its poll
            }
            subscription.close();
            synchronized (w) {
                w.close();
            }
            out.println("DONE " + (last.get() + 1) + " of " + target);
            rewind.close();
            System.exit(0);
        }
    }

    /**
     * Opens the store, prints "READY", and on "GO" from its standard input appends one batch of three
     * events ({@link #id}s of instance 0, thread 0, batch 0) and prints "ACK"; the dead-client test kills
     * it while the append waits for the store's lock. Arguments: schema, seed, application name.
     */
    static final class AppendOnce {
        public static void main(String[] args) throws java.io.IOException {
            PrintStream out = stdout();
            long seed = Long.parseLong(args[1]);
            PostgresStorage storage = storage(args[0], args[2]);
            out.println("READY");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.equals("GO"); line = in.readLine()) {
                out.println("ignored " + line);
            }
            storage.append("dead-client", ExpectedVersion.any(), batch(seed, 0, 0, 0, 3), Clock.systemUTC());
            out.println("ACK");
            System.exit(0);
        }
    }
}
