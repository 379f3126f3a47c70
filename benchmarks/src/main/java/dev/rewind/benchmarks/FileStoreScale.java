package dev.rewind.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rewind.EventIds;
import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.spi.storage.ReadDirection;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.StoredSerializedEvent;
import dev.rewind.storage.file.Durability;
import dev.rewind.storage.file.FileStorage;
import dev.rewind.storage.file.FileStorageStats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The file store at scale (issue 18): seeds a store of N events once (orders of 10 events, one order per
 * append, relaxed durability; kept between runs with {@code --keep}), then measures each figure in a
 * fresh JVM: the open after a clean close (three times), the heap the open store holds per event, reading
 * one random stream (p50/p99), the sequential replay, durable appends into the big store with 1 and 16
 * writers, and the open after a SIGKILL (the constant part and the scan of what follows the last index
 * checkpoint, reported apart). Disk bytes per event are read from the directory.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.rewind.benchmarks.FileStoreScale --n 10000000 --dir /tmp/rewind-scale-10m
 *      [--keep] [--phases seed,open,heap,streams,replay,append,kill] [--jvm "-Xms4g -Xmx4g"] [--out file.json]
 * </pre>
 */
public final class FileStoreScale {
    private static final String PREFIX = "RESULT ";
    private static final byte[] PAYLOAD = ("{\"orderId\":\"order-000000\",\"sku\":\"SKU-12345\",\"quantity\":3,"
            + "\"priceCents\":1999,\"currency\":\"EUR\"}").getBytes(StandardCharsets.UTF_8);

    private FileStoreScale() {
    }

    /**
     * @param args see the class comment; {@code child PHASE DIR N} runs one phase in this JVM
     * @throws Exception when a phase fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(args[1], Path.of(args[2]), Long.parseLong(args[3]));
            return;
        }
        long n = 1_000_000;
        Path dir = Path.of("/tmp/rewind-scale");
        boolean keep = false;
        List<String> phases = List.of("seed", "open", "heap", "streams", "replay", "append", "kill");
        String jvm = "-Xms4g -Xmx4g -XX:+UseTransparentHugePages";
        String out = "benchmarks/results/scale-" + Instant.now().toString().replace(':', '-') + ".json";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--n" -> n = Long.parseLong(args[++i].replace("_", ""));
                case "--dir" -> dir = Path.of(args[++i]);
                case "--keep" -> keep = true;
                case "--phases" -> phases = Arrays.asList(args[++i].split(","));
                case "--jvm" -> jvm = args[++i];
                case "--out" -> out = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; expected --n, --dir, --keep, --phases, --jvm or --out");
            }
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode report = json.createObjectNode().put("date", Instant.now().toString()).put("n", n)
                .put("dir", dir.toString()).put("jvm", jvm)
                .put("cores", Runtime.getRuntime().availableProcessors())
                .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        ArrayNode results = report.putArray("results");
        boolean seeded = FileStorage.isStore(dir);
        if (phases.contains("seed") && !(keep && seeded)) {
            if (seeded) {
                FileStorage.deleteStore(dir);
            }
            results.add(run(json, jvm, "seed", dir, n, 1));
        }
        for (String phase : phases) {
            if (phase.equals("seed")) {
                continue;
            }
            results.add(run(json, jvm, phase, dir, n, phase.equals("open") ? 3 : 1));
        }
        Path path = Path.of(out);
        if (path.getParent() != null) {
            Files.createDirectories(path.getParent());
        }
        json.writeValue(path.toFile(), report);
        System.out.println(json.writeValueAsString(results));
        System.out.println("written " + path);
        if (!keep && !phases.contains("keep")) {
            FileStorage.deleteStore(dir);
        }
    }

    private static ObjectNode run(ObjectMapper json, String jvm, String phase, Path dir, long n, int times)
            throws Exception {
        ObjectNode r = json.createObjectNode().put("phase", phase);
        ArrayNode runs = r.putArray("runs");
        for (int i = 0; i < times; i++) {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(Arrays.asList(jvm.trim().split("\\s+")));
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), FileStoreScale.class.getName(), "child",
                    phase, dir.toString(), Long.toString(n)));
            System.err.printf("%s ...%n", phase);
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    if (line.startsWith(PREFIX)) {
                        runs.add(json.readTree(line.substring(PREFIX.length())));
                        System.err.println("  " + line.substring(PREFIX.length()));
                    } else {
                        System.err.println("  " + line);
                    }
                }
            }
            if (p.waitFor() != 0) {
                throw new IllegalStateException("phase " + phase + " failed (exit " + p.exitValue() + ")");
            }
        }
        return r;
    }

    private static void child(String phase, Path dir, long n) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode r = json.createObjectNode().put("phase", phase);
        switch (phase) {
            case "seed" -> seed(dir, n, r);
            case "open" -> open(dir, r);
            case "heap" -> heap(dir, r);
            case "streams" -> streams(dir, n, r);
            case "replay" -> replay(dir, r);
            case "append" -> append(dir, r);
            case "kill" -> kill(dir, r);
            case "crashing-appender" -> crashingAppender(dir);
            default -> throw new IllegalArgumentException("unknown phase " + phase);
        }
        System.out.println(PREFIX + json.writeValueAsString(r));
        System.out.flush();
        System.exit(0);
    }

    static List<SerializedEvent> order(int k) {
        List<SerializedEvent> batch = new ArrayList<>(10);
        long first = EventIds.reserve(10);
        for (int i = 0; i < 10; i++) {
            batch.add(new SerializedEvent(EventIds.at(first + i), i == 0 ? "OrderPlaced" : i == 9 ? "OrderPaid"
                    : "ItemAdded", 1, PAYLOAD, Metadata.correlatedBy("order-" + k)));
        }
        return batch;
    }

    private static void seed(Path dir, long n, ObjectNode r) {
        long t0 = System.nanoTime();
        try (FileStorage storage = FileStorage.builder(dir).durability(Durability.RELAXED).open()) {
            long orders = n / 10;
            for (int k = 0; k < orders; k++) {
                storage.append("order-" + k, ExpectedVersion.noStream(), order(k), Clock.systemUTC());
                if (k % 1_000_000 == 0 && k > 0) {
                    System.err.printf(Locale.ROOT, "  seeded %d events, %.0f events/s%n", k * 10L,
                            k * 10.0 / ((System.nanoTime() - t0) / 1e9));
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        r.put("events", n).put("seconds", seconds).put("events/s", n / seconds);
        disk(dir, n, r);
    }

    private static void disk(Path dir, long n, ObjectNode r) {
        long log = 0;
        long index = 0;
        long other = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                long size = Files.isRegularFile(p) ? Files.size(p) : 0;
                if (name.endsWith(".seg")) {
                    log += size;
                } else if (name.startsWith("index")) {
                    index += size;
                } else {
                    other += size;
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        r.put("disk bytes/event, log", (double) log / n).put("disk bytes/event, index files", (double) index / n)
                .put("disk bytes/event, total", (double) (log + index + other) / n);
    }

    private static void open(Path dir, ObjectNode r) {
        long t0 = System.nanoTime();
        try (FileStorage storage = FileStorage.open(dir)) {
            double seconds = (System.nanoTime() - t0) / 1e9;
            FileStorageStats stats = storage.stats();
            r.put("events", stats.events()).put("open s", seconds).put("of which reading segments s",
                    stats.open().scanNanos() / 1e9).put("events indexed from the log", stats.open().scannedEvents())
                    .put("bytes read from the log", stats.open().scannedBytes())
                    .put("index runs", stats.indexes().runs());
            disk(dir, stats.events(), r);
        }
    }

    private static void heap(Path dir, ObjectNode r) throws InterruptedException {
        Measure.fullGc();
        long before = Measure.usedHeap();
        FileStorage storage = FileStorage.open(dir);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (!storage.stats().indexes().loaded() && System.nanoTime() < deadline) {
            Thread.sleep(50); // polling the loader, bounded above
        }
        Measure.fullGc();
        long after = Measure.usedHeap();
        FileStorageStats stats = storage.stats();
        r.put("events", stats.events()).put("filters loaded", stats.indexes().loaded())
                .put("heap bytes/event (measured, after full GC)", (double) (after - before) / stats.events())
                .put("heap bytes/event (the indexes' own estimate)", (double) stats.indexes().heapBytes() / stats.events());
        storage.close();
    }

    private static void streams(Path dir, long n, ObjectNode r) {
        try (FileStorage storage = FileStorage.open(dir)) {
            Random random = new Random(42);
            long orders = storage.nextPosition() / 10;
            for (int i = 0; i < 2000; i++) { // warm-up
                storage.readStream("order-" + random.nextInt((int) orders), 0, Integer.MAX_VALUE, ReadDirection.FORWARD);
            }
            int reads = 20_000;
            long[] nanos = new long[reads];
            long events = 0;
            for (int i = 0; i < reads; i++) {
                String stream = "order-" + random.nextInt((int) orders);
                long t0 = System.nanoTime();
                List<StoredSerializedEvent> read = storage.readStream(stream, 0, Integer.MAX_VALUE, ReadDirection.FORWARD);
                nanos[i] = System.nanoTime() - t0;
                events += read.size();
            }
            Arrays.sort(nanos);
            r.put("reads", reads).put("events per read", (double) events / reads)
                    .put("p50 us", nanos[reads / 2] / 1e3).put("p99 us", nanos[reads * 99 / 100] / 1e3)
                    .put("max us", nanos[reads - 1] / 1e3);
            long t0 = System.nanoTime();
            int found = 0;
            for (int i = 0; i < reads; i++) {
                if (storage.positionOf(java.util.UUID.randomUUID()) < 0) {
                    found++;
                }
            }
            r.put("positionOf an absent id, us", (System.nanoTime() - t0) / 1e3 / reads).put("absent", found);
        }
    }

    private static void replay(Path dir, ObjectNode r) {
        try (FileStorage storage = FileStorage.open(dir)) {
            long t0 = System.nanoTime();
            long[] sum = {0};
            long count = storage.read(0, storage.nextPosition(), e -> sum[0] += e.payload().length);
            double seconds = (System.nanoTime() - t0) / 1e9;
            r.put("events", count).put("events/s", count / seconds).put("checksum", sum[0]);
        }
    }

    private static void append(Path dir, ObjectNode r) throws InterruptedException {
        try (FileStorage storage = FileStorage.open(dir)) {
            for (int writers : new int[] {1, 16}) {
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong events = new AtomicLong();
                List<Thread> threads = new ArrayList<>();
                String prefix = "scale-append-" + System.nanoTime() + "-" + writers;
                for (int w = 0; w < writers; w++) {
                    int id = w;
                    threads.add(new Thread(() -> {
                        for (int k = 0; !stop.get(); k++) {
                            storage.append(prefix + "-" + id + "-" + k, ExpectedVersion.noStream(), order(k),
                                    Clock.systemUTC());
                            events.addAndGet(10);
                        }
                    }));
                }
                long t0 = System.nanoTime();
                threads.forEach(Thread::start);
                Thread.sleep(10_000); // the measured interval
                stop.set(true);
                for (Thread t : threads) {
                    t.join();
                }
                r.put("durable append into the store, events/s, " + writers + " writers",
                        events.get() / ((System.nanoTime() - t0) / 1e9));
            }
        }
    }

    /** Opens the store, appends until killed, printing READY after 100,000 events (all after the last checkpoint). */
    private static void crashingAppender(Path dir) {
        FileStorage storage = FileStorage.open(dir);
        for (int k = 0; ; k++) {
            storage.append("scale-crash-" + System.nanoTime() + "-" + k, ExpectedVersion.noStream(), order(k),
                    Clock.systemUTC());
            if (k == 10_000) {
                System.out.println("READY");
                System.out.flush();
            }
        }
    }

    private static void kill(Path dir, ObjectNode r) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), FileStoreScale.class.getName(), "child", "crashing-appender",
                dir.toString(), "0");
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null && !line.equals("READY")) {
                System.err.println("  " + line);
            }
            p.destroyForcibly(); // SIGKILL
            p.waitFor();
        }
        long t0 = System.nanoTime();
        try (FileStorage storage = FileStorage.open(dir)) {
            double seconds = (System.nanoTime() - t0) / 1e9;
            FileStorageStats.Open open = storage.stats().open();
            r.put("events", storage.nextPosition()).put("open after SIGKILL s", seconds)
                    .put("of which reading segments s", open.scanNanos() / 1e9)
                    .put("the rest (constant) s", seconds - open.scanNanos() / 1e9)
                    .put("events indexed from the log", open.scannedEvents())
                    .put("bytes read from the log", open.scannedBytes())
                    .put("events the checkpoint covered", open.snapshotCovered());
        }
    }
}
