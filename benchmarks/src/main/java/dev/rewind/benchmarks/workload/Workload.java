package dev.rewind.benchmarks.workload;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The orders workload of {@code BENCHMARKS.md}, generated exactly as specified: N events over N/10
 * order streams {@code order-<k>}, each {@code OrderPlaced}, 8 x {@code ItemAdded}, {@code OrderPaid},
 * from {@code new Random(42)}.
 */
public final class Workload {
    /** Events per order (one append). */
    public static final int EVENTS_PER_ORDER = 10;
    private static final String[] CURRENCIES = {"USD", "EUR", "GBP"};
    private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");

    private Workload() {
    }

    /**
     * One order's ten events.
     *
     * @param index k, the order's number
     * @param streamId {@code order-<k>}
     * @param events the ten payloads, in stream order
     */
    public record Order(int index, String streamId, List<Object> events) {
    }

    /**
     * @param n the number of events, a positive multiple of 10
     * @param sink receives the orders one by one, in order (nothing is retained here)
     */
    public static void generate(int n, Consumer<Order> sink) {
        if (n <= 0 || n % EVENTS_PER_ORDER != 0) {
            throw new IllegalArgumentException("N must be a positive multiple of 10, was " + n);
        }
        Random rnd = new Random(42);
        for (int k = 0; k < n / EVENTS_PER_ORDER; k++) {
            String currency = CURRENCIES[rnd.nextInt(3)];
            String userId = "user-" + rnd.nextInt(10000);
            String orderId = "order-" + k;
            List<Object> events = new ArrayList<>(EVENTS_PER_ORDER);
            events.add(new OrderPlaced(orderId, userId, currency, START.plusSeconds(k)));
            long amount = 0;
            for (int i = 0; i < 8; i++) {
                String sku = "sku-" + rnd.nextInt(1000);
                int qty = 1 + rnd.nextInt(5);
                long price = 100 + rnd.nextInt(9901);
                events.add(new ItemAdded(orderId, sku, qty, price));
                amount += qty * price;
            }
            events.add(new OrderPaid(orderId, amount, currency));
            sink.accept(new Order(k, orderId, List.copyOf(events)));
        }
    }

    /**
     * @param n the number of events
     * @return every order, generated once and kept (so that timed loops do not pay for generation)
     */
    public static List<Order> orders(int n) {
        List<Order> orders = new ArrayList<>(n / EVENTS_PER_ORDER);
        generate(n, orders::add);
        return orders;
    }
}
