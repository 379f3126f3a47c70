package dev.rewind.benchmarks.workload;

import java.util.Map;
import java.util.TreeMap;

/**
 * What the two views must hold after N events, computed straight from the generator: a benchmark
 * whose handlers skipped work cannot pass {@link #verify}.
 */
public final class Expected {
    private final long[] orderTotals;
    private final Map<String, Long> revenue;

    private Expected(long[] orderTotals, Map<String, Long> revenue) {
        this.orderTotals = orderTotals;
        this.revenue = revenue;
    }

    /**
     * @param n the number of events
     * @param upcast true when every {@code OrderPaid} was stored at version 1 and upcast with
     *     {@code currency = USD}
     * @return the expected views
     */
    public static Expected of(int n, boolean upcast) {
        return upTo(n, n / Workload.EVENTS_PER_ORDER, upcast);
    }

    /**
     * @param n the number of events generated
     * @param orders how many orders (from the first) the views have seen
     * @param upcast as in {@link #of}
     * @return the expected views after those orders
     */
    public static Expected upTo(int n, int orders, boolean upcast) {
        long[] totals = new long[orders];
        Map<String, Long> revenue = new TreeMap<>();
        Workload.generate(n, o -> {
            if (o.index() < orders) {
                OrderPaid paid = (OrderPaid) o.events().get(Workload.EVENTS_PER_ORDER - 1);
                totals[o.index()] = paid.amountCents();
                revenue.merge(upcast ? "USD" : paid.currency(), paid.amountCents(), Long::sum);
            }
        });
        return new Expected(totals, revenue);
    }

    /**
     * Checks both views.
     *
     * @param views what the handlers built
     * @param what names the run, for the error message
     * @throws IllegalStateException naming the first difference
     */
    public void verify(OrderViews views, String what) {
        verifyTotals(views.totals(), what);
        if (!new TreeMap<>(views.revenue()).equals(revenue)) {
            throw new IllegalStateException(what + ": revenue by currency is " + new TreeMap<>(views.revenue())
                    + ", expected " + revenue);
        }
    }

    /**
     * Checks the revenue view only.
     *
     * @param actual currency to cents
     * @param what names the run, for the error message
     * @throws IllegalStateException when it differs
     */
    public void verifyRevenue(Map<String, Long> actual, String what) {
        if (!new TreeMap<>(actual).equals(revenue)) {
            throw new IllegalStateException(what + ": revenue by currency is " + new TreeMap<>(actual) + ", expected "
                    + revenue);
        }
    }

    /**
     * Checks one order's total.
     *
     * @param orderId {@code order-<index>}
     * @param got what a query answered (null: the order was not found)
     * @param what names the run, for the error message
     * @throws IllegalStateException when it differs
     */
    public void verifyTotal(String orderId, Long got, String what) {
        int k = Integer.parseInt(orderId.substring("order-".length()));
        Long want = k < orderTotals.length ? orderTotals[k] : null;
        if (!java.util.Objects.equals(got, want)) {
            throw new IllegalStateException(what + ": " + orderId + " totals " + got + ", expected " + want);
        }
    }

    /**
     * Checks the sum of every order's total.
     *
     * @param got what a query answered
     * @param what names the run, for the error message
     * @throws IllegalStateException when it differs
     */
    public void verifyTotalsSum(long got, String what) {
        long want = 0;
        for (long t : orderTotals) {
            want += t;
        }
        if (got != want) {
            throw new IllegalStateException(what + ": the order totals sum to " + got + ", expected " + want);
        }
    }

    /**
     * Checks the order-totals view only.
     *
     * @param totals orderId to total
     * @param what names the run, for the error message
     * @throws IllegalStateException naming the first difference
     */
    public void verifyTotals(Map<String, Long> totals, String what) {
        if (totals.size() != orderTotals.length) {
            throw new IllegalStateException(what + ": order totals hold " + totals.size()
                    + " orders, expected " + orderTotals.length);
        }
        for (int k = 0; k < orderTotals.length; k++) {
            Long got = totals.get("order-" + k);
            if (got == null || got != orderTotals[k]) {
                throw new IllegalStateException(what + ": order-" + k + " totals " + got + ", expected " + orderTotals[k]);
            }
        }
    }
}
