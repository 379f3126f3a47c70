package dev.rewind.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The tailing proof, across processes: 16 appenders in 2 JVMs (8 threads each) append in groups, to
 * their own streams and at exact expected versions to a shared one, and hold transactions of their own
 * open for random times before committing or rolling them back; one of them has its server process
 * ended with {@code pg_terminate_backend} in the middle of a batch, and the test ends another, running a
 * group append, from outside. A reader in a third JVM tails the store through a subscription
 * (LISTEN/NOTIFY, polling as the fallback) and writes down every event it is given. At the end it must
 * have been given every committed event exactly once, at the position its append was acknowledged
 * with, in positions that never went back or skipped one, with {@code recordedAt} never decreasing,
 * and nothing that was rolled back, refused or killed.
 *
 * <p>Randomised: the seed is printed on failure; {@code -Drewind.seed=N} runs one seed again.
 */
class TailingProofTest {
    private static final String SCHEMA = TestDatabase.schema("proof");
    private static final int INSTANCES = 2;
    private static final int THREADS = 8;

    @BeforeAll
    static void server() {
        TestDatabase.requireServer();
    }

    @Test
    void a_reader_in_a_third_jvm_sees_every_committed_event_once_in_order_and_nothing_else() throws Exception {
        proof(false, 6_000);
    }

    @Test
    @EnabledIf("dev.rewind.storage.postgres.ServerRestart#allowed")
    void the_same_while_the_server_is_restarted_under_load() throws Exception {
        proof(true, 12_000);
    }

    private static void proof(boolean restart, long millis) throws Exception {
        long seed = Long.getLong("rewind.seed", new SecureRandom().nextLong() & Long.MAX_VALUE);
        try {
            run(seed, restart, millis);
        } catch (Throwable t) {
            throw new AssertionError("tailing proof failed with seed " + seed + " (run it again with -Drewind.seed="
                    + seed + "): " + t.getMessage(), t);
        }
    }

    private static void run(long seed, boolean restart, long millis) throws Exception {
        TestDatabase.fresh(SCHEMA).close();
        Random random = new Random(seed);
        Path seen = Files.createTempFile("i16-proof-seen-", ".txt");
        String[] applications = new String[INSTANCES];
        List<ChildJvm> appenders = new ArrayList<>();
        try (ChildJvm reader = new ChildJvm("the reader", ProofPrograms.Reader.class, SCHEMA, seen.toString())) {
            reader.await("READY", 60);
            for (int i = 0; i < INSTANCES; i++) {
                applications[i] = "i16-proof-" + seed + "-" + i;
                int killAt = i == 0 ? 5 + random.nextInt(10) : -1;
                appenders.add(new ChildJvm("appender " + i, ProofPrograms.Appender.class, SCHEMA, Long.toString(seed),
                        Integer.toString(i), Integer.toString(THREADS), Long.toString(millis), applications[i],
                        Integer.toString(killAt)));
            }
            for (ChildJvm a : appenders) {
                a.await("READY", 60);
            }
            int killed = endARunningGroupAppend(applications[1]);
            if (restart) {
                ServerRestart.restart();
            }
            for (ChildJvm a : appenders) {
                a.await("DONE", millis / 1000 + 180);
            }
            reader.send("STOP");
            String done = reader.await("DONE", 180);

            Outcomes outcomes = new Outcomes(seed);
            for (ChildJvm a : appenders) {
                assertThat(a.lines("ERROR")).as("errors of %s", a.output()).isEmpty();
                outcomes.read(a);
            }
            List<String> lines = Files.readAllLines(seen, StandardCharsets.UTF_8);
            assertThat(outcomes.killed).as("batches whose server process was ended before the commit").isOne();
            assertThat(killed).as("server process ended while it ran a group append").isPositive();
            assertThat(outcomes.rolledBack).as("batches rolled back on purpose").isPositive();
            outcomes.check(lines, done);
            List<String> errors = new ArrayList<>();
            appenders.forEach(a -> errors.addAll(a.lines("UNAVAILABLE")));
            if (restart) { // a restart fails appends for sure; an ended server process may be retried unseen
                assertThat(errors).as("failures of the appends the restart caught, each retried").isNotEmpty();
            }
            assertThat(errors).as("failures of the appends whose server process was ended or restarted, each retried")
                    .allSatisfy(e -> assertThat(e).matches("UNAVAILABLE (true|false) PostgreSQL storage unavailable"
                            + " while appending .*"));
            System.out.printf("tailing proof (seed %d%s): %d events acknowledged and seen in order, %d batches rolled"
                            + " back, %d refused, %d lost with their connection, 1 killed mid-batch, %d failures"
                            + " retried%n", seed, restart ? ", server restarted" : "", lines.size(), outcomes.rolledBack,
                    outcomes.refused, outcomes.lost, errors.size());
        } finally {
            for (ChildJvm a : appenders) {
                a.close();
            }
            Files.deleteIfExists(seen);
        }
    }

    /**
     * Ends the server process of an appender instance's pool while it runs a group append (the one sent
     * by whichever thread commits its instance's group), as an operator or a crash would.
     *
     * @return how many it ended (1, or 0 when none was seen running within 10 s)
     */
    private static int endARunningGroupAppend(String application) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try (Connection c = TestDatabase.connect(); PreparedStatement q = c.prepareStatement(
                "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE application_name = ?"
                        + " AND state = 'active' AND query LIKE '%rewind_append_group%' LIMIT 1")) {
            q.setString(1, application);
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = q.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        return 1;
                    }
                }
                Thread.sleep(5);
            }
        }
        return 0;
    }

    /** What the appenders said became of each batch. */
    private static final class Outcomes {
        final long seed;
        /** Every acknowledged event, and the position its append's outcome gave it. */
        final Map<UUID, Long> acknowledged = new HashMap<>();
        /** Every event of a batch that was not written. */
        final Set<UUID> notWritten = new HashSet<>();
        int rolledBack;
        int refused;
        int killed;
        int lost;

        Outcomes(long seed) {
            this.seed = seed;
        }

        void read(ChildJvm appender) {
            for (String line : appender.output().split("\n")) {
                String[] f = line.split(" ");
                switch (f[0]) {
                    case "ACK" -> {
                        long first = Long.parseLong(f[5]);
                        for (int k = 0; k < Integer.parseInt(f[4]); k++) {
                            acknowledged.put(id(f, k), first + k);
                        }
                    }
                    case "ROLLED" -> {
                        rolledBack++;
                        notWritten(f);
                    }
                    case "REFUSED" -> {
                        refused++;
                        notWritten(f);
                    }
                    case "KILLED" -> {
                        killed++;
                        notWritten(f);
                    }
                    case "LOST" -> {
                        lost++;
                        notWritten(f);
                    }
                    default -> {
                        // READY, DONE, UNAVAILABLE, log lines
                    }
                }
            }
        }

        private UUID id(String[] f, int k) {
            return ProofPrograms.id(seed, Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]), k);
        }

        private void notWritten(String[] f) {
            for (int k = 0; k < Integer.parseInt(f[4]); k++) {
                notWritten.add(id(f, k));
            }
        }

        /** @param lines "position eventId recordedAt", in the order the reader was given them */
        void check(List<String> lines, String done) {
            List<String> broken = new ArrayList<>();
            Set<UUID> once = new HashSet<>();
            Instant previous = Instant.MIN;
            for (int i = 0; i < lines.size(); i++) {
                String[] f = lines.get(i).split(" ");
                long position = Long.parseLong(f[0]);
                UUID id = UUID.fromString(f[1]);
                Instant at = Instant.parse(f[2]);
                if (position != i) {
                    broken.add("the " + i + "-th event the reader was given is at position " + position);
                }
                if (!once.add(id)) {
                    broken.add("event " + id + " given twice, the second time at position " + position);
                }
                if (notWritten.contains(id)) {
                    broken.add("event " + id + " at position " + position + " was rolled back, refused or killed");
                } else if (!acknowledged.containsKey(id)) {
                    broken.add("event " + id + " at position " + position + " was never acknowledged");
                } else if (acknowledged.get(id) != position) {
                    broken.add("event " + id + " is at position " + position + ", its append said "
                            + acknowledged.get(id));
                }
                if (at.isBefore(previous)) {
                    broken.add("recordedAt goes back at position " + position + ": " + at + " after " + previous);
                }
                previous = at;
                if (broken.size() > 20) {
                    break;
                }
            }
            for (UUID id : acknowledged.keySet()) {
                if (!once.contains(id) && broken.size() <= 20) {
                    broken.add("acknowledged event " + id + " (position " + acknowledged.get(id)
                            + ") never given to the reader");
                }
            }
            assertThat(broken).as("what the reader was given (%s)", done).isEmpty();
            assertThat(lines).as("events given to the reader").hasSize(acknowledged.size());
        }
    }
}
