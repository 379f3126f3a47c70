package dev.rewind.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class whose {@link EventHandler} methods have side effects: send a mail, call another system.
 * An event processor runs asynchronously, on a thread of the runtime, and keeps a checkpoint: every
 * event is handled at least once (after a crash, the events after the last checkpoint are handled
 * again), so a handler should pass the event id ({@code StoredEvent.eventId()}) on as an idempotency
 * key. It is never replayed: a projection rebuild does not touch it, and it cannot be rebuilt.
 *
 * <pre>{@code
 * @EventProcessor("shipping_notifications")
 * public class ShippingNotifications {
 *     private final Notifier notifier;
 *     public ShippingNotifications(Notifier notifier) { this.notifier = notifier; }
 *
 *     @EventHandler
 *     void on(OrderShipped e, StoredEvent<?> envelope) { notifier.shipped(e.orderId(), envelope.eventId()); }
 * }
 * }</pre>
 *
 * <p>Processors have dependencies, so the framework never creates them, and scanning does not look for
 * them: register instances with {@code Rewind.builder().eventProcessors(new ShippingNotifications(notifier))}
 * (or a plugin's {@code Registrar.eventProcessors}). A processor on a store opened read-only does not
 * run (it could not record what it did).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface EventProcessor {
    /**
     * @return the processor's unique name (among projections, processors and subscriptions), for example
     *     {@code "shipping_notifications"}
     */
    String value();

    /**
     * Where a processor without a checkpoint starts: false (the default) from the events stored after its
     * first start, so that adding a processor to a store with years of history sends nothing for them;
     * true from position 0.
     *
     * @return whether a first start handles the events already stored
     */
    boolean fromBeginning() default false;
}
