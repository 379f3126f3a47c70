package dev.rewind.benchmarks.rewind;

import dev.rewind.EventStore;
import dev.rewind.ProjectionStatus;
import dev.rewind.ExpectedVersion;
import dev.rewind.Rewind;
import dev.rewind.Subscription;
import dev.rewind.benchmarks.Measure;
import dev.rewind.benchmarks.Peer;
import dev.rewind.benchmarks.workload.Workload;
import dev.rewind.benchmarks.workload.Workload.Order;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Rewind's second JVM in the PostgreSQL phases (see {@link Peer}): another application instance on the
 * same store.
 * <ul>
 *   <li>{@code writer SCHEMA WRITERS MILLIS PREFIX}: on {@code GO}, appends whole orders from
 *       {@code WRITERS} threads for {@code MILLIS} ms, then prints {@code DONE <events> <events/s>};</li>
 *   <li>{@code reader SCHEMA FILE}: subscribes, notes the wall-clock time (microseconds) each event is
 *       given to it, and on {@code STOP <next position>} waits until it has been given every event below
 *       it, writes "position micros" lines to {@code FILE} and prints {@code DONE <events>};</li>
 *   <li>{@code owner SCHEMA INSTANCE_ID}: runs the take-over phase's instance ({@link PgTakeover#instance}) until
 *       killed or told {@code STOP}; on {@code WATCH <position>} polls its own status until it owns every one of
 *       the projections and each has handled the event at that position, then prints
 *       {@code ADVANCED <position> <micros> <name>=<micros>...}: the wall-clock time at which the last of them,
 *       and each, was first seen so.</li>
 * </ul>
 */
public final class PgPeers {
    private PgPeers() {
    }

    /** @return the wall-clock time in microseconds since the epoch (both JVMs read the same clock) */
    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    /**
     * @param args the role and its arguments, as above
     * @throws Exception when the role fails (the phase then fails)
     */
    public static void main(String[] args) throws Exception {
        String schema = args[1];
        switch (args[0]) {
            case "writer" -> writer(schema, Integer.parseInt(args[2]), Long.parseLong(args[3]), args[4]);
            case "reader" -> reader(schema, Path.of(args[2]));
            case "owner" -> owner(schema, args[2]);
            default -> throw new IllegalArgumentException("unknown role " + args[0] + "; expected writer, reader or owner");
        }
        System.exit(0);
    }

    private static void writer(String schema, int writers, long millis, String prefix) throws Exception {
        List<Order> orders = Workload.orders(100_000);
        try (Rewind rewind = RewindSide.builder().storage(PgPhases.storage(schema, writers + 1)).build()) {
            EventStore store = rewind.store();
            System.out.println("READY");
            System.out.flush();
            if (!"GO".equals(Peer.readCommand())) {
                throw new IllegalStateException("expected GO");
            }
            Measure.Writers done = Measure.timedWriters(writers, millis, orders, prefix,
                    (stream, o) -> store.append(stream, ExpectedVersion.noStream(), o.events()));
            System.out.printf(Locale.ROOT, "DONE %d %.1f%n", done.events(), done.rate());
            System.out.flush();
        }
    }

    private static void reader(String schema, Path file) throws Exception {
        long[][] seen = {new long[1 << 16]};
        AtomicLong given = new AtomicLong(); // the end of what the subscriber was given: published after seen[]
        try (Rewind rewind = RewindSide.builder().storage(PgPhases.storage(schema, 2)).build()) {
            Subscription subscription = rewind.store().subscribe(e -> {
                long now = nowMicros();
                int p = (int) e.globalPosition();
                if (p >= seen[0].length) {
                    seen[0] = Arrays.copyOf(seen[0], Math.max(p + 1, seen[0].length * 2));
                }
                seen[0][p] = now;
                given.set(p + 1L); // delivery is in position order, one event at a time
            });
            System.out.println("READY");
            System.out.flush();
            String stop = Peer.readCommand();
            if (stop == null || !stop.startsWith("STOP ")) {
                throw new IllegalStateException("expected STOP <next position>, got " + stop);
            }
            long target = Long.parseLong(stop.substring(5));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (given.get() < target) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the reader was not given every event below " + target
                            + " within 120 s");
                }
                LockSupport.parkNanos(10_000_000L);
            }
            subscription.close();
            try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                for (int p = 0; p < target; p++) {
                    w.write(p + " " + seen[0][p] + "\n");
                }
            }
            System.out.println("DONE " + target);
            System.out.flush();
        }
    }

    private static void owner(String schema, String instanceId) throws Exception {
        try (Rewind rewind = PgTakeover.instance(PgPhases.storage(schema, 4), instanceId)) {
            System.out.println("READY");
            System.out.flush();
            for (String command = Peer.readCommand(); command != null && !command.equals("STOP"); command = Peer.readCommand()) {
                if (!command.startsWith("WATCH ")) {
                    throw new IllegalStateException("expected WATCH <position> or STOP, got " + command);
                }
                long position = Long.parseLong(command.substring(6));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                Map<String, Long> pastAt = new LinkedHashMap<>(); // projection to when it was first seen past
                while (pastAt.size() < PgTakeover.NAMES.size()) {
                    for (String name : PgTakeover.NAMES) {
                        ProjectionStatus st = rewind.projections().status(name);
                        if (!pastAt.containsKey(name) && st.ownedHere() && st.lastPosition() >= position) {
                            pastAt.put(name, nowMicros());
                        }
                    }
                    if (pastAt.size() == PgTakeover.NAMES.size()) {
                        break;
                    }
                    if (System.nanoTime() > deadline) {
                        List<ProjectionStatus> status = PgTakeover.NAMES.stream().map(rewind.projections()::status).toList();
                        throw new IllegalStateException("instance " + instanceId + " did not own every projection past"
                                + " position " + position + " within 120 s: " + status);
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(PgTakeover.POLL_MILLIS));
                }
                StringBuilder line = new StringBuilder("ADVANCED " + position + " " + Collections.max(pastAt.values()));
                pastAt.forEach((name, micros) -> line.append(' ').append(name).append('=').append(micros));
                System.out.println(line);
                System.out.flush();
            }
        }
    }
}
