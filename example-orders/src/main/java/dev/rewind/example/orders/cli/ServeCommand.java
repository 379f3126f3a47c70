package dev.rewind.example.orders.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rewind.ProjectionStatus;
import dev.rewind.Rewind;
import dev.rewind.command.CommandMessage;
import dev.rewind.example.orders.command.AddItem;
import dev.rewind.example.orders.command.PayOrder;
import dev.rewind.example.orders.command.PlaceOrder;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code serve}: one running instance of the orders app, until it is stopped (Ctrl-C, SIGTERM) or
 * {@code --seconds} pass. It runs the projections and the processor, places orders at a steady rate when
 * asked, and prints JSON lines: its status every {@code --every} milliseconds, and a line whenever it takes
 * an owned projection (at its first grant too, {@code from} then null or the previous owner) or steps down
 * from one. Two of them against one PostgreSQL store show owned
 * projections standing by and taking over; on a file store it is one instance, as the store allows.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "Run one instance of the app until stopped or --seconds pass, placing orders when asked; print a"
                + " JSON status line every --every ms and a line at each take-over or step-down.")
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    StoreOptions store;

    @Option(names = "--instance", paramLabel = "ID", description = "This instance's id (default: orders-PID).")
    String instance;

    @Option(names = "--orders-per-second", paramLabel = "N", defaultValue = "0",
            description = "Orders to place per second (each: placed, one item added, paid); default 0.")
    double ordersPerSecond;

    @Option(names = "--orders", paramLabel = "N", description = "Stop placing orders after N (default: no limit).")
    Long maxOrders;

    @Option(names = "--seconds", paramLabel = "S", description = "Stop after S seconds (default: when interrupted).")
    Double seconds;

    @Option(names = "--every", paramLabel = "MS", defaultValue = "2000", description = "Status line interval, ms (default 2000).")
    long everyMillis;

    @Option(names = "--lease", paramLabel = "MS", description = "Lease of owned projections, ms (default 3000).")
    Long leaseMillis;

    @Override
    public Integer call() throws InterruptedException {
        if (ordersPerSecond < 0 || everyMillis < 1 || seconds != null && seconds < 0 || maxOrders != null && maxOrders < 0) {
            throw new ParameterException(spec.commandLine(), "--orders-per-second, --orders and --seconds must be 0 or"
                    + " more and --every at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        // Ctrl-C and SIGTERM close the runtime properly: leases released, checkpoints saved, the other instance takes over at once
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                closed.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "rewind-orders-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        String id = instance != null ? instance : "orders-" + ProcessHandle.current().pid();
        try (Rewind rewind = store.openForWriting(id, leaseMillis == null ? null : Duration.ofMillis(leaseMillis))) {
            serve(rewind, id, out, stop);
        } finally {
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waited for the close above
            }
        }
        return 0;
    }

    private void serve(Rewind rewind, String id, PrintWriter out, CountDownLatch stop) throws InterruptedException {
        long start = System.nanoTime();
        long end = seconds == null ? Long.MAX_VALUE : start + (long) (seconds * 1e9);
        long nextStatus = start;
        long placed = 0;
        Map<String, ProjectionStatus> seen = new HashMap<>();
        String prefix = UUID.randomUUID().toString().substring(0, 8);
        while (true) {
            long now = System.nanoTime();
            long due = (long) (ordersPerSecond * (now - start) / 1e9);
            if (maxOrders != null) {
                due = Math.min(due, maxOrders);
            }
            // at most 100 ms of orders per turn: when appends fall behind the rate, status lines and a stop still come on time
            long turn = now + 100_000_000L;
            for (; placed < due && now < end && System.nanoTime() - turn < 0; placed++) {
                place(rewind, prefix + "-" + placed);
            }
            reportOwnership(rewind, id, out, seen);
            if (now - nextStatus >= 0 || now >= end) {
                out.println(Json.line(status(rewind, id, placed)));
                out.flush();
                nextStatus = now + everyMillis * 1_000_000L;
            }
            if (now >= end || stop.await(Math.min(100, Math.max(1, (end - now) / 1_000_000)), TimeUnit.MILLISECONDS)) {
                break;
            }
        }
    }

    private static void place(Rewind rewind, String orderId) {
        rewind.commands().send(CommandMessage.of(new PlaceOrder(orderId, "user-" + Math.floorMod(orderId.hashCode(), 50), "EUR")));
        rewind.commands().send(CommandMessage.of(new AddItem(orderId, "SKU-1", 2, 1_250)));
        rewind.commands().send(CommandMessage.of(new PayOrder(orderId, 2_500, "card")));
    }

    /** Prints a line when this instance took over an owned runner, or stepped down from one, since last seen. */
    private static void reportOwnership(Rewind rewind, String id, PrintWriter out, Map<String, ProjectionStatus> seen) {
        for (ProjectionStatus s : rewind.projections().statuses()) {
            if (s.owner() == null && s.state() != ProjectionStatus.State.STANDBY) {
                continue; // not owned, or no owner known yet
            }
            ProjectionStatus before = seen.put(s.name(), s);
            if (before == null ? s.ownedHere() : before.ownedHere() != s.ownedHere()) {
                ObjectNode line = Json.MAPPER.createObjectNode();
                line.put("at", Instant.now().toString());
                line.put("instance", id);
                line.put(s.ownedHere() ? "took_over" : "stepped_down", s.name());
                line.put("from", before == null ? null : before.owner());
                line.put("owner", s.owner());
                out.println(Json.line(line));
                out.flush();
            }
        }
    }

    private static ObjectNode status(Rewind rewind, String id, long placed) {
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("at", Instant.now().toString());
        line.put("instance", id);
        line.put("head", rewind.store().nextPosition() - 1);
        line.put("orders_placed", placed);
        ObjectNode runners = line.putObject("projections");
        for (ProjectionStatus s : rewind.projections().statuses()) {
            ObjectNode n = runners.putObject(s.name());
            n.put("state", s.state().name().toLowerCase(Locale.ROOT));
            n.put("last_position", s.lastPosition());
            n.put("lag_events", s.lag());
            if (s.owner() != null) {
                n.put("owner", s.owner());
                n.put("owned_here", s.ownedHere());
                if (s.ownedSince() != null) { // held here: since when, and from whom it was taken over
                    n.put("owned_since", s.ownedSince().toString());
                    n.put("taken_over_from", s.takenOverFrom());
                }
            }
        }
        return line;
    }
}
