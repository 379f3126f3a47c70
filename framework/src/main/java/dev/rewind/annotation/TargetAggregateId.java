package dev.rewind.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the component of a command record that names the aggregate the command is for. The stream is
 * the aggregate's {@link Aggregate#streamPrefix()} followed by this value's {@code toString()}.
 * Exactly one component of every command record carries it; the value must not be null.
 *
 * <pre>{@code
 * public record PayOrder(@TargetAggregateId String orderId, long amountCents) {}
 * }</pre>
 *
 * <p>On a component of an event record it only tells the given/when/then fixture ({@code AggregateFixture}
 * in {@code rewind-test}) which aggregate a given event belongs to, when the component is not named like
 * the command's; the framework itself reads it on commands only.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface TargetAggregateId {
}
