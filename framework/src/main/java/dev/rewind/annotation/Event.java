package dev.rewind.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a Java record as a domain event with a logical type name and its current schema version.
 *
 * <pre>{@code
 * @Event(name = "OrderPaid", version = 2)
 * public record OrderPaid(String orderId, long amountCents, String currency) {}
 * }</pre>
 *
 * <p>The name is what is stored, never the Java class name, so a class can move or be renamed without
 * touching stored data. Only registered event types are ever deserialised (the type registry is closed).
 * A normal append always stores {@link #version()}; older stored versions are upcast on read.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Event {
    /** @return the logical type name stored with every event of this type, for example {@code "OrderPlaced"} */
    String name();

    /** @return the current schema version of this type, 1 or more */
    int version() default 1;
}
