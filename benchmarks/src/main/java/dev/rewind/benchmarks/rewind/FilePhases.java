package dev.rewind.benchmarks.rewind;

import dev.rewind.EventStore;
import dev.rewind.ExpectedVersion;
import dev.rewind.Rewind;
import dev.rewind.benchmarks.Iteration;
import dev.rewind.benchmarks.Measure;
import dev.rewind.benchmarks.workload.Expected;
import dev.rewind.benchmarks.workload.OrderViews;
import dev.rewind.benchmarks.workload.Workload;
import dev.rewind.benchmarks.workload.Workload.Order;
import dev.rewind.storage.file.Durability;
import dev.rewind.storage.file.FileStorage;
import dev.rewind.storage.file.FileStorageStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Rewind's phases on its file storage: serialized and upcast replay, temporal, durable append, memory. */
final class FilePhases {
    private final Map<String, Double> extras;

    FilePhases(Map<String, Double> extras) {
        this.extras = extras;
    }

    /** Seeds a file store (relaxed durability: seeding is not measured), reopens it, and rebuilds the views. */
    Iteration replay(int n, boolean orderPaidV1) throws IOException {
        Path dir = seeded(n, orderPaidV1, false);
        long t0 = System.nanoTime();
        Rewind rewind = RewindSide.builder().storage(FileStorage.open(dir)).projection(RewindViews.class).build();
        extras.put("reopen + start-up catch-up of the views, s", (System.nanoTime() - t0) / 1e9);
        Expected expected = Expected.of(n, orderPaidV1);
        return () -> {
            long start = System.nanoTime();
            rewind.projections().rebuild(RewindViews.NAME);
            double rate = Measure.rate(n, start);
            expected.verify(rewind.projections().state(RewindViews.NAME), "Rewind file-store replay");
            return rate;
        };
    }

    /** Order totals as of the instant of event N/2, on the file store. */
    Iteration temporal(int n) throws IOException {
        Path dir = seeded(n, false, true);
        Rewind rewind = RewindSide.builder().storage(FileStorage.open(dir)).projection(RewindViews.class).build();
        EventStore store = rewind.store();
        Instant at = store.readAll(n / 2, 1).get(0).recordedAt();
        Expected expected = Expected.upTo(n, n / 2 / Workload.EVENTS_PER_ORDER + 1, false);
        return () -> {
            long t0 = System.nanoTime();
            OrderViews views = rewind.projections().stateAt(RewindViews.NAME, at);
            double ms = (System.nanoTime() - t0) / 1e6;
            expected.verifyTotals(views.totals(), "Rewind temporal (file store)");
            return ms;
        };
    }

    /** Heap held by an open file store of N events (its in-memory indexes), after a full GC. */
    Iteration memory(int n) throws IOException {
        Path dir = seeded(n, false, false);
        Expected expected = Expected.of(n, false);
        return () -> {
            Measure.fullGc();
            long before = Measure.usedHeap();
            FileStorage storage = FileStorage.open(dir);
            try (Rewind rewind = RewindSide.builder().storage(storage).build()) {
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (!storage.stats().indexes().loaded() && System.nanoTime() < deadline) {
                    Measure.pause(20); // the runs' filters load in the background after the open: count them
                }
                Measure.fullGc();
                double perEvent = (double) (Measure.usedHeap() - before) / n;
                extras.put("file store: bytes on disk per event (mapped/page cache, not heap)",
                        (double) storage.stats().bytes() / n);
                expected.verify(RewindSide.readBack(rewind.store()), "Rewind file-store memory (read back)");
                Reference.reachabilityFence(storage);
                return perEvent;
            }
        };
    }

    /**
     * {@code writers} threads append orders (10 events, expected version checked) with fsync before
     * acknowledgement, for {@code bench.durable.ms} (default 3300) per iteration. After each run, the
     * same number of threads appends the same bytes with no event work ({@link BareGroupCommit}) for as
     * long: that rate, measured on the same disk a moment later, is the iteration's limit.
     */
    Iteration durable(int writers) throws Exception {
        long millis = Long.getLong("bench.durable.ms", 3300);
        List<Order> orders = Workload.orders(100_000);
        extras.put("disk: fsyncs/s of one 4 KiB write + force, same disk", fsyncRate());
        extras.put("CPU ceiling: the same appends without fsync (relaxed durability), events/s, " + writers + " writers",
                timedAppends(writers, millis, orders, "relaxed", Durability.RELAXED).done().rate());
        return new Iteration() {
            private int round;
            private double limit = Double.NaN;

            @Override
            public double run() throws Exception {
                Timed t = timedAppends(writers, millis, orders, "r" + round++, Durability.FSYNC);
                FileStorageStats stats = t.stats();
                if (stats.events() != t.done().events()) {
                    throw new IllegalStateException("durable append: the store holds " + stats.events()
                            + " events, the writers were acknowledged " + t.done().events());
                }
                extras.put("events per fsync (" + writers + " writers)", (double) stats.events() / Math.max(1, stats.fsyncs()));
                double seconds = millis / 1000.0;
                extras.put("fsyncs/s (" + writers + " writers)", stats.fsyncs() / seconds);
                extras.put("share of the time in fsync (" + writers + " writers)", stats.fsyncNanos() / 1e9 / seconds);
                extras.put("share of the time committers waited for writers to queue (" + writers + " writers)",
                        stats.gatherNanos() / 1e9 / seconds);
                int batchBytes = (int) (stats.bytes() / stats.appends());
                BareGroupCommit.Result bare = BareGroupCommit.run(writers, millis, t.sample(), batchBytes,
                        Workload.EVENTS_PER_ORDER, t.sampleDir());
                extras.put("bare group commit: bytes per batch", (double) batchBytes);
                extras.put("bare group commit: batches per fsync (" + writers + " writers)", bare.batchesPerFsync());
                limit = bare.eventsPerSecond();
                return t.done().rate();
            }

            @Override
            public double limit() {
                return limit;
            }
        };
    }

    /**
     * What one time-boxed run measured.
     *
     * @param done what the writers were acknowledged
     * @param stats the storage's figures once the writers stopped, before it was closed
     * @param sample the first MiB (at most) of the first segment the run wrote
     * @param sampleDir the directory the store was in (its parent), on the same file system
     */
    record Timed(Measure.Writers done, FileStorageStats stats, byte[] sample, Path sampleDir) {
    }

    /** One time-boxed run of {@code writers} threads appending orders to a fresh store with nothing attached. */
    static Timed timedAppends(int writers, long millis, List<Order> orders, String prefix,
                                      Durability durability) throws Exception {
        Path dir = Files.createTempDirectory("rewind-durable");
        FileStorage storage = FileStorage.builder(dir).durability(durability).open();
        try (Rewind rewind = RewindSide.builder().storage(storage).build()) { // closes the storage too
            EventStore store = rewind.store();
            Measure.Writers done = Measure.timedWriters(writers, millis, orders, prefix,
                    (stream, o) -> store.append(stream, ExpectedVersion.noStream(), o.events()));
            return new Timed(done, storage.stats(), firstSegmentBytes(dir, 1 << 20), dir.getParent());
        } finally {
            delete(dir);
        }
    }

    /** Up to {@code max} bytes from the start of the store's first segment file. */
    private static byte[] firstSegmentBytes(Path dir, int max) throws IOException {
        Path first;
        try (Stream<Path> files = Files.list(dir)) {
            first = files.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().findFirst()
                    .orElseThrow(() -> new IllegalStateException("no segment file in " + dir));
        }
        try (FileChannel ch = FileChannel.open(first, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(max, ch.size()));
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // read until full
            }
            return buf.array();
        }
    }

    /** Seeds a file store of N events (relaxed durability: seeding is not measured), deleted at exit. */
    Path seeded(int n, boolean orderPaidV1, boolean tickingClock) throws IOException {
        Path dir = Files.createTempDirectory("rewind-bench");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
        Rewind.Builder b = RewindSide.builder().storage(FileStorage.builder(dir).durability(Durability.RELAXED).open());
        if (tickingClock) {
            b.clock(new TickingClock());
        }
        try (Rewind rewind = b.build()) {
            EventStore store = rewind.store();
            long t0 = System.nanoTime();
            Workload.generate(n, o -> {
                if (orderPaidV1) {
                    store.appendRaw(o.streamId(), ExpectedVersion.noStream(), RawOrders.withV1(o));
                } else {
                    store.append(o.streamId(), ExpectedVersion.noStream(), o.events());
                }
            });
            extras.put("seeding file store (relaxed durability) events/s", Measure.rate(n, t0));
        }
        return dir;
    }

    /** The disk's own limit: how many small write + fsync pairs it completes per second, one thread. */
    private static double fsyncRate() throws IOException {
        Path file = Files.createTempFile("rewind-fsync", ".bin");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.allocate(4096);
            long t0 = System.nanoTime();
            long count = 0;
            while (System.nanoTime() - t0 < 2_000_000_000L) {
                buf.clear();
                ch.write(buf);
                ch.force(false);
                count++;
            }
            return Measure.rate(count, t0);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
