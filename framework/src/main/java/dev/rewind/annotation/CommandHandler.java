package dev.rewind.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method that handles one command type. Its first parameter is the command (a record with a
 * {@link TargetAggregateId} component); it checks the business rules against the aggregate's state
 * and returns the new events: a {@code List} (or any {@code Collection}) of event records, a single
 * event record, or nothing ({@code void}, {@code null}, an empty list) when the command changes
 * nothing. A rule violation is an exception of the user's choosing: it reaches the caller unchanged
 * and nothing is appended.
 *
 * <p>Two places are allowed:
 * <ul>
 *   <li>on an {@link Aggregate} class, with the command as its only parameter: the state is {@code this};</li>
 *   <li>on a service object registered with the gateway, with the command and then the aggregate as
 *       parameters: the gateway loads the aggregate and passes it, so the service can also use its own
 *       dependencies.</li>
 * </ul>
 *
 * <pre>{@code
 * @CommandHandler
 * List<Object> handle(AddItem command) { ... }                  // on the aggregate
 *
 * @CommandHandler
 * OrderPaid handle(PayOrder command, Order order) { ... }       // on a service
 * }</pre>
 *
 * A command type has exactly one handler; two handlers for one command type stop start-up with an
 * error naming both methods. A declared return type that is a record (or a collection of records) must
 * be a registered {@link Event} record, or start-up stops naming the method. May be used as a
 * meta-annotation. Handlers must not change the aggregate's fields: state changes only
 * through {@link EventSourcingHandler}s.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
public @interface CommandHandler {
}
