package dev.rewind.storage.file;

import dev.rewind.spi.storage.StorageReads;

import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.spi.storage.AppendOutcome;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/** Programs the crash and lock tests run in child JVMs, and how to start them. */
final class ChildProcesses {
    private ChildProcesses() {
    }

    /** A child JVM running one of the mains below, with its stdout lines in a queue. */
    static final class Child implements AutoCloseable {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Child(Class<?> main, String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    main.getName()));
            cmd.addAll(List.of(args));
            process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the child was killed
                }
                lines.add("EOF");
            }, "child-reader");
            reader.setDaemon(true);
            reader.start();
        }

        /** Kills the child with SIGKILL (what {@link Process#destroyForcibly()} sends on Linux) and waits. */
        void kill() {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the killed child", e);
            }
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                kill();
            }
        }
    }

    /**
     * Appends forever from several threads. Event ids are {@link #crashId}s, so that one short line per
     * acknowledged batch, "ACK thread index firstPosition count", names every id (a line per event made
     * the child wait on its output pipe more than on its appends). Arguments: directory, threads,
     * durability (FSYNC or RELAXED), the largest batch (events), the payload size (bytes) and a seed
     * (the batch sizes and the ids' prefix). With a seventh argument {@code BIG}, one thread appends a
     * few small batches, prints "BIG", then appends one batch of {@link #BIG_BATCH} bytes, whose write
     * takes long enough for the parent to see the segment grow and kill the child in its middle: a real
     * torn tail.
     */
    static final class CrashingAppender {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            int threads = Integer.parseInt(args[1]);
            Durability durability = Durability.valueOf(args[2]);
            int maxBatch = Integer.parseInt(args[3]);
            String pad = "x".repeat(Integer.parseInt(args[4]));
            long seed = Long.parseLong(args[5]);
            PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false,
                    StandardCharsets.UTF_8);
            FileStorage storage = FileStorage.builder(dir).segmentSize(4 << 20).durability(durability).open();
            out.println("READY " + storage.nextPosition());
            out.flush();
            if (args.length > 6 && args[6].equals("BIG")) {
                appendThenBig(storage, seed, out);
                return;
            }
            for (int t = 0; t < threads; t++) {
                int thread = t;
                String stream = "crash-" + seed + "-" + t;
                java.util.Random random = new java.util.Random(seed + t);
                new Thread(() -> {
                    for (int i = 0; ; i++) {
                        List<SerializedEvent> batch = new ArrayList<>();
                        int size = 1 + random.nextInt(maxBatch);
                        for (int k = 0; k < size; k++) {
                            batch.add(new SerializedEvent(crashId(seed, thread, i, k), "Crashed", 1,
                                    ("{\"i\":" + i + ",\"pad\":\"" + pad + "\"}").getBytes(StandardCharsets.UTF_8),
                                    Metadata.correlatedBy(stream)));
                        }
                        AppendOutcome o = storage.append(stream, ExpectedVersion.any(), batch, Clock.systemUTC());
                        String line = "ACK " + thread + " " + i + " " + o.firstPosition() + " " + batch.size();
                        synchronized (out) {
                            out.println(line);
                            out.flush();
                        }
                    }
                }).start();
            }
        }
    }

    /** The size of the batch that a crashing appender in BIG mode is killed while writing. */
    static final int BIG_BATCH = 48 << 20;

    private static void appendThenBig(FileStorage storage, long seed, PrintStream out) {
        String stream = "big-" + seed;
        int small = 1 + (int) Math.floorMod(seed, 8L);
        String pad = "y".repeat(BIG_BATCH / 4096 - 40);
        for (int i = 0; i <= small; i++) {
            List<SerializedEvent> batch = new ArrayList<>();
            int size = i < small ? 1 + i : 4096; // the last one is the big one
            for (int k = 0; k < size; k++) {
                batch.add(new SerializedEvent(crashId(seed, 0, i, k), "Crashed", 1,
                        ("{\"i\":" + i + ",\"pad\":\"" + (i < small ? "" : pad) + "\"}")
                                .getBytes(StandardCharsets.UTF_8), Metadata.EMPTY));
            }
            if (i == small) {
                out.println("BIG");
                out.flush();
            }
            AppendOutcome o = storage.append(stream, ExpectedVersion.any(), batch, Clock.systemUTC());
            out.println("ACK 0 " + i + " " + o.firstPosition() + " " + batch.size());
            out.flush();
        }
    }

    /** The id of event {@code k} of batch {@code index} of a crashing appender's thread. */
    static UUID crashId(long seed, int thread, int index, int k) {
        return new UUID(seed * 31 + thread, ((long) index << 20) | k);
    }

    /**
     * Appends a fixed series of one-event batches (each its own write), prints "ACK position eventId" for
     * each, then "DONE", and waits to be killed. Arguments: directory, number of batches.
     */
    static final class AppendThenWait {
        public static void main(String[] args) throws Exception {
            FileStorage storage = FileStorage.open(Path.of(args[0]));
            int n = Integer.parseInt(args[1]);
            for (int i = 0; i < n; i++) {
                StoredSerializedEvent r = StorageReads.appended(storage, "s-" + (i % 2), ExpectedVersion.any(), List.of(new SerializedEvent(
                        UUID.randomUUID(), "Noted", 1, ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8),
                        Metadata.correlatedBy("c" + i))), Clock.systemUTC()).get(0);
                System.out.println("ACK " + r.globalPosition() + " " + r.eventId());
            }
            System.out.println("DONE");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    /** Opens a store and holds it until killed. */
    static final class LockHolder {
        public static void main(String[] args) throws Exception {
            FileStorage storage = FileStorage.open(Path.of(args[0]));
            System.out.println("LOCKED " + storage.directory());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
