package dev.rewind.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class as a named projection: a view materialised from the event stream by its
 * {@link EventHandler} methods, whose state is read through its one {@link QueryState} method.
 *
 * <pre>{@code
 * @Projection("revenue_by_currency")
 * public class RevenueProjection {
 *     private final Map<String, Long> revenue = new TreeMap<>();
 *
 *     @EventHandler
 *     void on(OrderPaid e) { revenue.merge(e.currency(), e.amountCents(), Long::sum); }
 *
 *     @QueryState
 *     public Map<String, Long> state() { return Map.copyOf(revenue); }
 * }
 * }</pre>
 *
 * <p>The class needs a public or package-private no-argument constructor: the framework creates fresh
 * instances to rebuild the view and to answer temporal queries. Projection names are unique.
 *
 * <p>How it runs (synchronously or not, snapshots, failure policy) is configured by name with
 * {@code Rewind.builder().projectionSettings(name, ...)}. Its snapshots are the JSON of its fields and
 * carry a version: {@link #version()}, a hash of its fields' names and types, and a hash of its
 * handlers' signatures. A snapshot of another version is never restored into it: the projection is
 * rebuilt from position 0 (blue/green when the old snapshot still fits the class).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Projection {
    /** @return the projection's unique name, for example {@code "order_totals"} */
    String value();

    /**
     * The version of the state's meaning. Raise it when a handler computes the state differently without
     * any field or handler signature changing: snapshots of the old version are then not restored, and the
     * projection is rebuilt.
     *
     * @return the version, 1 by default
     */
    int version() default 1;
}
