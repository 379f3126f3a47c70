package dev.rewind.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of an {@link Aggregate} that applies one of its own past events to its state. Its first
 * parameter is the event record, or a supertype (for example a sealed interface) of several: the most
 * specific handler is called. Events with no handler are skipped. Further parameters are resolved as
 * for an {@link EventHandler}: the {@link dev.rewind.StoredEvent} envelope, its {@link dev.rewind.Metadata},
 * its {@code recordedAt} ({@link java.time.Instant}), its stream id ({@code @StreamId String}), and
 * whatever {@link dev.rewind.spi.ParameterResolver}s are registered. It must not check rules or throw:
 * the event already happened.
 *
 * <pre>{@code
 * @EventSourcingHandler
 * void on(ItemAdded event) { totalCents += event.priceCents() * event.quantity(); }
 *
 * @EventSourcingHandler
 * void on(OrderPaid event, Instant recordedAt) { paidAt = recordedAt; }
 * }</pre>
 *
 * <p>May be used as a meta-annotation.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
public @interface EventSourcingHandler {
}
