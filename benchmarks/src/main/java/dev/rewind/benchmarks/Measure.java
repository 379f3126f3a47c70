package dev.rewind.benchmarks;

import java.lang.management.ManagementFactory;

/** Small measuring helpers shared by both sides. */
public final class Measure {
    private Measure() {
    }

    /**
     * @param events how many events were processed
     * @param startNanos {@link System#nanoTime()} before
     * @return events per second up to now
     */
    public static double rate(long events, long startNanos) {
        return events * 1e9 / (System.nanoTime() - startNanos);
    }

    /** Runs full collections until the used heap stops shrinking. */
    public static void fullGc() {
        long before = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long used = usedHeap();
            if (used >= before - 1024) {
                return;
            }
            before = used;
        }
    }

    /** @return heap bytes in use now */
    public static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * Sleeps briefly while polling for a condition met by another thread.
     *
     * @param millis how long
     */
    public static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
