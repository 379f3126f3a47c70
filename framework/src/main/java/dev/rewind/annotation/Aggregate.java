package dev.rewind.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an aggregate: a class whose state is rebuilt from its own stream by its
 * {@link EventSourcingHandler} methods, and whose {@link CommandHandler} methods decide which new
 * events a command produces. It needs a no-argument constructor (any visibility): the command gateway
 * creates a fresh instance for every command and replays the stream into it.
 *
 * <pre>{@code
 * @Aggregate(streamPrefix = "order-")
 * public class Order {
 *     private boolean paid;
 *
 *     @CommandHandler
 *     OrderPaid handle(PayOrder command) {
 *         if (paid) throw new OrderAlreadyPaid(command.orderId());
 *         return new OrderPaid(command.orderId(), command.amountCents());
 *     }
 *
 *     @EventSourcingHandler
 *     void on(OrderPaid event) { paid = true; }
 * }
 * }</pre>
 *
 * The stream of an aggregate is {@code streamPrefix + } the command's
 * {@link TargetAggregateId} value, for example {@code order-42}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Aggregate {

    /** @return prepended to the command's target id to name the stream, for example {@code "order-"} */
    String streamPrefix() default "";

    /**
     * The version of the state's meaning. Snapshots carry it (with a hash of the class's fields) and a
     * snapshot written under another value is ignored. Raise it when an {@link EventSourcingHandler}
     * computes its state differently without any field changing.
     *
     * @return the snapshot version, 1 by default
     */
    int snapshotVersion() default 1;
}
