package dev.rewind.storage.file;

import dev.rewind.spi.storage.StorageReads;

import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * Measures durable append on this machine's disk (not a test: run it by hand, see BENCHMARKS.md).
 *
 * <ol>
 *   <li>the raw fsync rate: one 64-byte write + fsync in a loop;</li>
 *   <li>durable append (Durability.FSYNC) with 1, 4 and 16 writers, each append one 10-event batch to the
 *       writer's own stream, each run time-boxed;</li>
 *   <li>with {@code --replay N}: N events appended in RELAXED mode, then the heap the reopened storage keeps
 *       per event, the time to open (every checksum checked, indexes rebuilt) and the sequential replay rate.</li>
 * </ol>
 *
 * Arguments: {@code [directory] [seconds per run, default 10] [--replay N] [--relaxed]} ({@code --relaxed}:
 * the append runs without fsync, to see the CPU ceiling).
 */
public final class DurableAppendBench {
    private static final int BATCH = 10;
    private static final byte[] PAYLOAD = ("{\"orderId\":\"order-000000\",\"sku\":\"SKU-12345\",\"quantity\":3,"
            + "\"priceCents\":1999,\"currency\":\"EUR\"}").getBytes(StandardCharsets.UTF_8);

    private DurableAppendBench() {
    }

    /**
     * @param args see the class comment
     * @throws Exception on I/O failure
     */
    public static void main(String[] args) throws Exception {
        Path base = Path.of(args.length > 0 && !args[0].startsWith("--") ? args[0] : "target/durable-append-bench")
                .toAbsolutePath();
        int seconds = args.length > 1 && !args[1].startsWith("--") ? Integer.parseInt(args[1]) : 10;
        long replay = 0;
        Durability durability = Durability.FSYNC;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--replay")) {
                replay = Long.parseLong(args[i + 1]);
            } else if (args[i].equals("--relaxed")) {
                durability = Durability.RELAXED;
            }
        }
        delete(base);
        Files.createDirectories(base);
        System.out.printf(Locale.ROOT, "directory %s, %s, %d s per run, %d cores, %s%n", base, durability, seconds,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
        double fsyncRate = rawFsyncRate(base.resolve("fsync.tmp"), Math.max(3, seconds / 2));
        System.out.printf(Locale.ROOT, "raw fsync rate (64-byte write + fsync): %.0f/s%n", fsyncRate);
        System.out.println("| writers | events/s | appends/s | fsyncs/s | appends per fsync | vs 1 writer |");
        System.out.println("|---|---|---|---|---|---|");
        double one = 0;
        for (int writers : new int[] {1, 4, 16}) {
            double[] r = durableAppend(base.resolve("w" + writers), writers, seconds, durability);
            if (writers == 1) {
                one = r[0];
            }
            System.out.printf(Locale.ROOT, "| %d | %.0f | %.0f | %.0f | %.1f | %.1fx |%n", writers, r[0], r[0] / BATCH,
                    r[1], r[0] / BATCH / r[1], r[0] / one);
        }
        if (replay > 0) {
            replay(base.resolve("replay"), replay);
        }
        delete(base);
    }

    private static double rawFsyncRate(Path file, int seconds) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(64);
            long n = 0;
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            long now;
            while ((now = System.nanoTime()) < end) {
                b.clear();
                ch.write(b);
                ch.force(false);
                n++;
            }
            return n / ((now - start) / 1e9);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    static List<SerializedEvent> batch(int i) {
        List<SerializedEvent> batch = new ArrayList<>(BATCH);
        for (int k = 0; k < BATCH; k++) {
            batch.add(new SerializedEvent(randomId(), "OrderLineAdded", 1, PAYLOAD, Metadata.correlatedBy("c" + i)));
        }
        return batch;
    }

    /** A random (version 4) UUID without the lock of the shared SecureRandom behind UUID.randomUUID(). */
    private static UUID randomId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return new UUID((r.nextLong() & ~0xF000L) | 0x4000L, (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L);
    }

    /** @return events/s and fsyncs/s */
    private static double[] durableAppend(Path dir, int writers, int seconds, Durability durability)
            throws InterruptedException {
        try (FileStorage storage = FileStorage.builder(dir).durability(durability).open()) {
            for (int i = 0; i < 50; i++) { // warm up
                storage.append("warm-up", ExpectedVersion.any(), batch(i), Clock.systemUTC());
            }
            LongAdder events = new LongAdder();
            long fsyncsBefore = storage.stats().fsyncs();
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String stream = "writer-" + w;
                Thread t = new Thread(() -> {
                    for (int i = 0; System.nanoTime() < end; i++) {
                        storage.append(stream, ExpectedVersion.any(), batch(i), Clock.systemUTC());
                        events.add(BATCH);
                    }
                });
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            return new double[] {events.sum() / elapsed, (storage.stats().fsyncs() - fsyncsBefore) / elapsed};
        }
    }

    private static void replay(Path dir, long events) {
        try (FileStorage storage = FileStorage.builder(dir).durability(Durability.RELAXED).open()) {
            for (int i = 0; i < events / BATCH; i++) {
                storage.append("order-" + (i % (events / BATCH / 10 + 1)), ExpectedVersion.any(), batch(i),
                        Clock.systemUTC());
            }
        }
        try {
            Files.delete(dir.resolve(IndexSnapshot.FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long t0 = System.nanoTime();
        FileStorage.open(dir).close(); // rebuilds every index, then saves the snapshot
        double rebuildSeconds = (System.nanoTime() - t0) / 1e9;
        long heapBefore = usedHeap();
        t0 = System.nanoTime();
        try (FileStorage storage = FileStorage.open(dir)) {
            double openSeconds = (System.nanoTime() - t0) / 1e9;
            long heapAfter = usedHeap();
            FileStorageStats stats = storage.stats();
            System.out.printf(Locale.ROOT, "%d events in %d streams, %d MiB of log in %d segments%n", stats.events(),
                    stats.streams(), stats.bytes() >> 20, stats.segments());
            System.out.printf(Locale.ROOT, "open without index snapshot (every record checked and decoded, indexes"
                    + " rebuilt) + close: %.2f s%n", rebuildSeconds);
            System.out.printf(Locale.ROOT, "open with the index snapshot (the snapshot, one header per segment and"
                    + " the last 4096 events read): %.2f s%n", openSeconds);
            System.out.printf(Locale.ROOT, "heap kept by the open storage: %.1f bytes/event (before its filters are"
                    + " all loaded; %.1f estimated once they are)%n", (heapAfter - heapBefore) / (double) stats.events(),
                    storage.stats().indexes().heapBytes() / (double) stats.events());
            for (int round = 0; round < 3; round++) {
                long start = System.nanoTime();
                long n = 0;
                long checksum = 0;
                for (long p = 0; p < storage.nextPosition(); ) {
                    List<StoredSerializedEvent> page = StorageReads.page(storage, p, 4096);
                    for (StoredSerializedEvent r : page) {
                        checksum += r.payload().length + r.streamVersion();
                    }
                    n += page.size();
                    p += page.size();
                }
                double s = (System.nanoTime() - start) / 1e9;
                System.out.printf(Locale.ROOT, "sequential replay %d: %d events in %.2f s = %.0f events/s (%d)%n",
                        round + 1, n, s, n / s, checksum);
            }
        }
    }

    private static long usedHeap() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        TestFiles.deleteTree(dir);
    }
}
