package dev.rewind.storage.postgres;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a {@code main} of the test classes (the test's class path, the environment of
 * the test, so the same server and schema prefix), with its standard output lines in a queue and its
 * standard input open for commands.
 */
final class ChildJvm implements AutoCloseable {
    private final String name;
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = new ArrayList<>();

    /**
     * @param name what the child is, for messages
     * @param main the class whose {@code main} it runs
     * @param args its arguments
     */
    ChildJvm(String name, Class<?> main, String... args) throws IOException {
        this.name = name;
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                main.getName()));
        cmd.addAll(List.of(args));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    synchronized (all) {
                        all.add(line);
                    }
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child was killed
            }
            lines.add("EOF");
        }, "child-reader-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * @param prefix what the line starts with
     * @param seconds how long to wait at most
     * @return the first line (from now on) that starts with {@code prefix}
     * @throws AssertionError naming the child and everything it printed when none comes in time or it exits
     */
    String await(String prefix, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null || line.equals("EOF")) {
                throw new AssertionError(name + (line == null ? " printed no line starting with '" + prefix + "' in "
                        + seconds + " s" : " exited before printing '" + prefix + "'") + "; its output:\n" + output());
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** @return everything the child printed so far */
    String output() {
        synchronized (all) {
            return String.join("\n", all);
        }
    }

    /** @return the lines printed so far that start with {@code prefix} */
    List<String> lines(String prefix) {
        List<String> out = new ArrayList<>();
        synchronized (all) {
            for (String line : all) {
                if (line.startsWith(prefix)) {
                    out.add(line);
                }
            }
        }
        return out;
    }

    /** Writes a line to the child's standard input. */
    void send(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Waits for the child to exit by itself (bounded) and checks it exited with status 0. */
    void awaitExit(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " did not exit within " + seconds + " s; its output:\n" + output());
        }
        if (process.exitValue() != 0) {
            throw new AssertionError(name + " exited with status " + process.exitValue() + "; its output:\n" + output());
        }
    }

    /** @return the child's process id */
    long pid() {
        return process.pid();
    }

    /**
     * Sends a signal with {@code kill} (the JDK sends only TERM and KILL): {@code STOP} freezes the whole
     * process as a long GC pause would, {@code CONT} resumes it.
     */
    void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).redirectErrorStream(true)
                .start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -" + signal + " " + process.pid() + " (" + name + ") failed: "
                    + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** Kills the child with SIGKILL (what {@link Process#destroyForcibly()} sends on Linux) and waits (bounded). */
    void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError(name + " did not end within 30 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name + " to end", e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}
