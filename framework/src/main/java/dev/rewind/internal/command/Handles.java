package dev.rewind.internal.command;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;

/** Turns reflective members into {@link MethodHandle}s once, at registration (never per command). */
final class Handles {
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

    private Handles() {
    }

    /**
     * @param method a method of any visibility
     * @return a handle of the generic type {@code (Object...)Object} with the receiver first (void gives null)
     */
    static MethodHandle generic(Method method) {
        try {
            method.setAccessible(true);
            MethodHandle mh = LOOKUP.unreflect(method);
            return mh.asType(MethodType.genericMethodType(mh.type().parameterCount()));
        } catch (IllegalAccessException | RuntimeException e) {
            throw new IllegalStateException("cannot access " + method.toGenericString() + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param constructor a no-argument constructor of any visibility
     * @return a handle of type {@code ()Object}
     */
    static MethodHandle generic(Constructor<?> constructor) {
        try {
            constructor.setAccessible(true);
            return LOOKUP.unreflectConstructor(constructor).asType(MethodType.genericMethodType(0));
        } catch (IllegalAccessException | RuntimeException e) {
            throw new IllegalStateException("cannot access " + constructor.toGenericString() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Rethrows a handler's exception as it is (also a checked one): a rule violation reaches the caller
     * unchanged.
     *
     * @param t what the handler threw
     * @return never returns
     */
    static RuntimeException rethrow(Throwable t) {
        throw Handles.<RuntimeException>sneaky(t);
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
