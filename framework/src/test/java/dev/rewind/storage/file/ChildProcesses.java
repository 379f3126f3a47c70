package dev.rewind.storage.file;

import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.spi.AppendOutcome;
import dev.rewind.spi.EventRecord;
import dev.rewind.spi.StoredRecord;
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

    /** Appends forever from several threads with fsync on, printing "ACK position eventId" per acknowledged event. */
    static final class CrashingAppender {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            int threads = Integer.parseInt(args[1]);
            PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false,
                    StandardCharsets.UTF_8);
            FileStorage storage = FileStorage.builder(dir).segmentSize(16 * 1024).open();
            out.println("READY " + storage.headPosition());
            out.flush();
            for (int t = 0; t < threads; t++) {
                String stream = "crash-" + ProcessHandle.current().pid() + "-" + t;
                new Thread(() -> {
                    for (int i = 0; ; i++) {
                        List<EventRecord> batch = new ArrayList<>();
                        for (int k = 0; k <= i % 3; k++) {
                            batch.add(new EventRecord(UUID.randomUUID(), "Crashed", 1,
                                    ("{\"i\":" + i + ",\"pad\":\"" + "x".repeat(i % 200) + "\"}")
                                            .getBytes(StandardCharsets.UTF_8),
                                    Metadata.correlatedBy(stream), null));
                        }
                        AppendOutcome o = storage.append(stream, ExpectedVersion.any(), batch, Clock.systemUTC());
                        StringBuilder sb = new StringBuilder();
                        for (StoredRecord r : o.records()) {
                            sb.append("ACK ").append(r.globalPosition()).append(' ').append(r.eventId()).append('\n');
                        }
                        synchronized (out) {
                            out.print(sb);
                            out.flush();
                        }
                    }
                }).start();
            }
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
