package dev.rewind;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** The bounded poll tests wait with: a condition checked every 20 ms, for a limited time. */
public final class Polls {
    private Polls() {
    }

    /**
     * Returns once {@code condition} holds.
     *
     * @throws AssertionError naming {@code waitingFor} when it did not hold within {@code within}
     */
    public static void until(BooleanSupplier condition, Duration within, String waitingFor) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("waited " + within.toMillis() + " ms for " + waitingFor);
            }
            try {
                Thread.sleep(20); // a bounded poll's interval, not a wait for something to happen
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + waitingFor, e);
            }
        }
    }
}
