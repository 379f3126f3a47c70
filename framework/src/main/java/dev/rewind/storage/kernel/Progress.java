package dev.rewind.storage.kernel;

import java.io.PrintStream;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of long work (a verify, a scrub, an index rebuild, a projection rebuild) for a person waiting
 * for it: done / total, rate and time left. When the JVM has a console ({@link System#console()}: it was
 * started from a terminal) it redraws one line on stderr a few times a second; otherwise it logs at INFO
 * every few seconds, so that a service's logs show a long open without a flood. Work that ends within
 * two seconds shows nothing.
 *
 * <pre>{@code
 * Progress p = Progress.start("verify " + dir, totalBytes, "bytes");
 * ... p.advance(n); ...
 * p.done();
 * }</pre>
 *
 * Thread-safe: {@link #advance} may be called from any thread.
 */
public final class Progress {
    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);
    private static final long QUIET_NANOS = 2_000_000_000L;
    private static final long TERMINAL_EVERY = 250_000_000L;
    private static final long LOG_EVERY = 5_000_000_000L;

    private final String task;
    private final long total;
    private final String unit;
    private final PrintStream terminal;
    private final long quietNanos;
    private final long start = System.nanoTime();
    private long done;
    private long lastShown;
    private boolean shown;

    Progress(String task, long total, String unit, PrintStream terminal, long quietNanos) {
        this.task = task;
        this.total = total;
        this.unit = unit;
        this.terminal = terminal;
        this.quietNanos = quietNanos;
    }

    /**
     * @param task what is being done, for example {@code "verify /data/store"}
     * @param total how much there is to do (0 when unknown)
     * @param unit what is counted ({@code "events"}, {@code "bytes"})
     * @return a progress shown on stderr when there is a console, logged at INFO otherwise
     */
    public static Progress start(String task, long total, String unit) {
        return new Progress(task, total, unit, System.console() != null ? System.err : null, QUIET_NANOS);
    }

    /**
     * @param task what is being done
     * @param total how much there is to do
     * @param unit what is counted
     * @param terminal where to redraw the line, or null to log at INFO instead
     * @return a progress written where the caller says (tests, a command-line tool that knows better)
     */
    public static Progress to(String task, long total, String unit, PrintStream terminal) {
        return new Progress(task, total, unit, terminal, QUIET_NANOS);
    }

    /** @param n how much more is done */
    public synchronized void advance(long n) {
        done += n;
        long now = System.nanoTime();
        if (now - start < quietNanos) {
            return;
        }
        long every = terminal != null ? TERMINAL_EVERY : LOG_EVERY;
        if (shown && now - lastShown < every) {
            return;
        }
        lastShown = now;
        shown = true;
        String line = line(now);
        if (terminal != null) {
            terminal.print("\r" + line + "   ");
            terminal.flush();
        } else {
            LOG.info("{}", line);
        }
    }

    /** @return how much is done */
    public synchronized long done() {
        return done;
    }

    /** Ends the line (when one was shown) with the time it all took. */
    public synchronized void finish() {
        if (!shown) {
            return;
        }
        String line = String.format(Locale.ROOT, "%s: %s %s in %.1f s", task, format(done), unit,
                (System.nanoTime() - start) / 1e9);
        if (terminal != null) {
            terminal.println("\r" + line + "                    ");
            terminal.flush();
        } else {
            LOG.info("{}", line);
        }
    }

    private String line(long now) {
        double seconds = (now - start) / 1e9;
        double rate = done / Math.max(seconds, 1e-9);
        StringBuilder b = new StringBuilder(task).append(": ").append(format(done));
        if (total > 0) {
            b.append(" / ").append(format(total)).append(' ').append(unit)
                    .append(String.format(Locale.ROOT, " (%.0f%%)", 100.0 * done / total));
        } else {
            b.append(' ').append(unit);
        }
        b.append(", ").append(format((long) rate)).append(' ').append(unit).append("/s");
        if (total > 0 && rate > 0 && done < total) {
            long left = (long) ((total - done) / rate);
            b.append(String.format(Locale.ROOT, ", %d:%02d left", left / 60, left % 60));
        }
        return b.toString();
    }

    private static String format(long n) {
        if (n >= 10_000_000_000L) {
            return String.format(Locale.ROOT, "%.1fG", n / 1e9);
        }
        if (n >= 10_000_000L) {
            return String.format(Locale.ROOT, "%.1fM", n / 1e6);
        }
        return String.format(Locale.ROOT, "%,d", n);
    }
}
