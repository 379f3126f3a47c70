package dev.rewind.benchmarks;

import dev.rewind.benchmarks.workload.Workload.Order;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

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

    /** What one writer does with one order: append it, durably, as a new stream. */
    @FunctionalInterface
    public interface OrderWriter {
        /**
         * @param streamId a stream no other append uses
         * @param order the order's 10 events
         */
        void write(String streamId, Order order);
    }

    /**
     * What {@link #timedWriters} measured.
     *
     * @param events events acknowledged to the writers
     * @param rate events per second
     */
    public record Writers(long events, double rate) {
    }

    /**
     * Runs {@code writers} threads for {@code millis}, each writing orders to its own new streams
     * ({@code prefix-w<id>-<k>}), and counts the events acknowledged.
     *
     * @param writers how many threads
     * @param millis how long
     * @param orders the orders to cycle through
     * @param prefix a stream-name prefix unique to this iteration
     * @param writer one append
     * @return the events acknowledged and their rate
     * @throws InterruptedException when interrupted while waiting for the writers
     */
    public static Writers timedWriters(int writers, long millis, List<Order> orders, String prefix, OrderWriter writer)
            throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong events = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int id = w;
            threads.add(new Thread(() -> {
                for (int k = id; !stop.get(); k += writers) {
                    Order o = orders.get(k % orders.size());
                    writer.write(prefix + "-w" + id + "-" + k, o);
                    events.addAndGet(o.events().size());
                }
            }));
        }
        long t0 = System.nanoTime();
        threads.forEach(Thread::start);
        pause(millis);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        return new Writers(events.get(), rate(events.get(), t0));
    }
}
