package dev.rewind.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM beside a phase's child, with the child's own flags and class path: another application
 * instance on the same PostgreSQL store (a second writer process, or a reader in another process). It
 * talks in lines: it prints {@code READY} when set up, starts on {@code GO} from its standard input, and
 * ends with a {@code DONE ...} line; whatever else it prints goes to standard error.
 */
public final class Peer implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    /**
     * @param main the class whose {@code main} the peer runs
     * @param args its arguments
     * @throws IOException when the JVM cannot be started
     */
    public Peer(Class<?> main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the peer ended
            }
            lines.add("EOF");
        }, "peer-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * @param prefix what the awaited line starts with
     * @param seconds how long to wait at most
     * @return the line
     * @throws IllegalStateException when the peer ends or says nothing like it in time
     */
    public String await(String prefix, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null || line.equals("EOF")) {
                throw new IllegalStateException("the peer JVM " + (line == null ? "printed no '" + prefix + "' line in "
                        + seconds + " s" : "ended before printing '" + prefix + "'"));
            }
            if (line.startsWith(prefix)) {
                return line;
            }
            System.err.println("  peer: " + line);
        }
    }

    /**
     * @param line a line for the peer's standard input
     * @throws IOException when the peer is gone
     */
    public void send(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** @return a line from standard input (what a peer's main waits on), or null at its end */
    public static String readCommand() throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = System.in.read(); c >= 0; c = System.in.read()) {
            if (c == '\n') {
                return b.toString();
            }
            b.append((char) c);
        }
        return b.length() == 0 ? null : b.toString();
    }

    /**
     * Kills the peer with SIGKILL ({@link Process#destroyForcibly()} on Linux): it gets no chance to release or
     * save anything. Returns once the process has ended.
     *
     * @throws InterruptedException when interrupted while waiting for it to end
     */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Ends the peer if it is still running. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
