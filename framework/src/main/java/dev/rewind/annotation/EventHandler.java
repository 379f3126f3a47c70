package dev.rewind.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method that handles events. Its first parameter is the event record, or a supertype (for
 * example a sealed interface) of several event records: the method then receives each of them. Further
 * parameters are resolved once, at registration, by {@link dev.rewind.spi.ParameterResolver}s: the
 * {@link dev.rewind.StoredEvent} envelope, its {@link dev.rewind.Metadata}, its {@code recordedAt}
 * ({@link java.time.Instant}), its stream id ({@code String} parameter annotated {@link StreamId}), and
 * whatever resolvers plugins contribute.
 *
 * <pre>{@code
 * @EventHandler
 * void on(OrderPaid event, Instant recordedAt) { ... }
 * }</pre>
 *
 * <p>May be used as a meta-annotation.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
public @interface EventHandler {
}
