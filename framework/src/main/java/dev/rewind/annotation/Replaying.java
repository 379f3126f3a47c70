package dev.rewind.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@code boolean} parameter of an {@link EventHandler} that receives whether the projection is
 * replaying the event: applying one that it (or an earlier instance of it) may have applied before.
 * That is the case in a rebuild, in a temporal query, at start-up for the events stored before it
 * when the projection keeps no checkpoint, and after a restart for the events it had applied past its
 * last checkpoint. A handler that pushes live notifications checks it. An event processor never replays;
 * an aggregate loading its stream always does.
 *
 * <pre>{@code
 * @EventHandler
 * void on(OrderPaid e, @Replaying boolean replaying) { ...; if (!replaying) push(e); }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Replaying {
}
