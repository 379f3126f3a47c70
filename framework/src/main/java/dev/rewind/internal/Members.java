package dev.rewind.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;

/**
 * Opens the constructors and methods of application classes (projections, aggregates, handlers,
 * upcasters) to Rewind as {@link MethodHandle}s, once, at start-up; calls then cost no reflection.
 * Members of any visibility are opened; whether a visibility is allowed is the caller's rule, and so
 * is the message that names the annotation and the fix when opening fails.
 */
public final class Members {
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

    private Members() {
    }

    /**
     * @param type a class
     * @param <T> the class
     * @return its declared no-argument constructor (any visibility), or null when it has none
     */
    public static <T> Constructor<T> noArgConstructor(Class<T> type) {
        try {
            return type.getDeclaredConstructor();
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    /**
     * @param constructor a no-argument constructor of any visibility
     * @return a handle of type {@code ()Object} that creates an instance
     * @throws IllegalAccessException when the JVM does not let Rewind open it (a named module that does
     *     not open its package)
     */
    public static MethodHandle constructor(Constructor<?> constructor) throws IllegalAccessException {
        open(constructor);
        return LOOKUP.unreflectConstructor(constructor).asType(MethodType.methodType(Object.class));
    }

    /**
     * @param method a method of any visibility
     * @return a handle of the method's own type, the receiver first for an instance method
     * @throws IllegalAccessException when the JVM does not let Rewind open it
     */
    public static MethodHandle method(Method method) throws IllegalAccessException {
        open(method);
        return LOOKUP.unreflect(method);
    }

    /**
     * Rethrows what a member called through a handle threw, as it is (also a checked exception): a
     * user's exception reaches the caller unchanged.
     *
     * @param t what the member threw
     * @return never returns; declared so that callers can write {@code throw Members.rethrow(t)}
     */
    public static RuntimeException rethrow(Throwable t) {
        throw Members.<RuntimeException>sneaky(t);
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }

    private static void open(AccessibleObject member) throws IllegalAccessException {
        try {
            member.setAccessible(true);
        } catch (RuntimeException e) { // InaccessibleObjectException, SecurityException
            IllegalAccessException refused = new IllegalAccessException(e.getMessage());
            refused.initCause(e);
            throw refused;
        }
    }
}
