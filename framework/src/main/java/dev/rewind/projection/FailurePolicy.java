package dev.rewind.projection;

import java.time.Duration;
import java.util.Objects;

/**
 * What a projection, processor or subscription does when a handler throws: try the event again up to
 * {@code maxAttempts} times in all, waiting {@code firstDelay} before the second attempt and twice as
 * long before each next one (at most {@code maxDelay}), then {@link Then#STOP stop} at that event or
 * {@link Then#PARK park} it.
 *
 * <pre>{@code
 * FailurePolicy.stop()                                                   // the default: no retry, stop there
 * FailurePolicy.retry(5, Duration.ofMillis(100), Duration.ofSeconds(5)).thenPark()
 * }</pre>
 *
 * <p>A handler that throws must leave its state as it found it (check first, then change): Rewind
 * calls it again with the same instance and cannot undo half of a handler.
 *
 * @param maxAttempts how many times an event is tried in all, 1 or more
 * @param firstDelay the wait before the second attempt (zero or more)
 * @param maxDelay the longest wait between two attempts (at least {@code firstDelay})
 * @param then what happens to an event that failed every attempt
 */
public record FailurePolicy(int maxAttempts, Duration firstDelay, Duration maxDelay, Then then) {

    /** What happens to an event that failed every attempt. */
    public enum Then {
        /**
         * The runner stops at the event and applies nothing more until it is rebuilt (a projection) or the
         * application restarts; its state stays queryable and its status says {@code FAILED}.
         */
        STOP,
        /**
         * The event is kept, with its error, in the runner's parked list, and every later event of the same
         * stream is parked behind it (so that the order within a stream holds); other streams go on. Parked
         * events wait for a decision: retried or skipped through the API or the CLI.
         */
        PARK
    }

    /**
     * Checks the values, naming the one that is wrong.
     *
     * @param maxAttempts how many times an event is tried in all, 1 or more
     * @param firstDelay the wait before the second attempt (zero or more)
     * @param maxDelay the longest wait between two attempts (at least {@code firstDelay})
     * @param then what happens to an event that failed every attempt
     */
    public FailurePolicy {
        Objects.requireNonNull(firstDelay, "firstDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        Objects.requireNonNull(then, "then");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("FailurePolicy: maxAttempts must be 1 or more, was " + maxAttempts);
        }
        if (firstDelay.isNegative()) {
            throw new IllegalArgumentException("FailurePolicy: firstDelay must be zero or more, was " + firstDelay);
        }
        if (maxDelay.compareTo(firstDelay) < 0) {
            throw new IllegalArgumentException("FailurePolicy: maxDelay (" + maxDelay + ") must be at least firstDelay ("
                    + firstDelay + ")");
        }
    }

    /** @return one attempt, then stop: what a projection did before failure policies existed, and the default */
    public static FailurePolicy stop() {
        return new FailurePolicy(1, Duration.ZERO, Duration.ZERO, Then.STOP);
    }

    /**
     * @param maxAttempts how many times an event is tried in all
     * @param firstDelay the wait before the second attempt
     * @param maxDelay the longest wait between attempts
     * @return a policy that retries with exponential backoff and then stops (see {@link #thenPark()})
     */
    public static FailurePolicy retry(int maxAttempts, Duration firstDelay, Duration maxDelay) {
        return new FailurePolicy(maxAttempts, firstDelay, maxDelay, Then.STOP);
    }

    /** @return this policy, parking the event after the last attempt */
    public FailurePolicy thenPark() {
        return new FailurePolicy(maxAttempts, firstDelay, maxDelay, Then.PARK);
    }

    /** @return this policy, stopping at the event after the last attempt */
    public FailurePolicy thenStop() {
        return new FailurePolicy(maxAttempts, firstDelay, maxDelay, Then.STOP);
    }

    /**
     * @param attempt the attempt that just failed, from 1
     * @return how long to wait before the next one
     */
    public Duration delayAfter(int attempt) {
        Duration d = firstDelay;
        for (int i = 1; i < attempt && d.compareTo(maxDelay) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(maxDelay) > 0 ? maxDelay : d;
    }

    /** @return whether any attempt after a failure waits */
    public boolean waits() {
        return maxAttempts > 1 && !maxDelay.isZero();
    }
}
