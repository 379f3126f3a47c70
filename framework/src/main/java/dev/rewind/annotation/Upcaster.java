package dev.rewind.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a class implementing {@link dev.rewind.spi.EventUpcaster} as the step that turns stored
 * {@link #type()} events of version {@link #from()} into version {@code from + 1}. Found by scanning
 * like any other component; needs a public no-argument constructor.
 *
 * <pre>{@code
 * @Upcaster(type = "OrderPaid", from = 1)
 * public class OrderPaidV1ToV2 implements EventUpcaster {
 *     public ObjectNode upcast(ObjectNode v1) { ... }
 * }
 * }</pre>
 *
 * <p>One event in, one event out: splitting or dropping stored events is not supported.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Upcaster {
    /** @return the current logical name of the type (after any rename) */
    String type();

    /** @return the version this step reads */
    int from();
}
