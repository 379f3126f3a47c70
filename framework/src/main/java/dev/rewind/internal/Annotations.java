package dev.rewind.internal;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Reflection look-ups shared by the handler inspectors (event handlers, command handlers, aggregates). */
public final class Annotations {
    private Annotations() {
    }

    /**
     * @param m a method
     * @param annotation the annotation looked for
     * @return whether the method carries the annotation directly, or carries an annotation that is itself
     *     annotated with it (a meta-annotation, one level deep)
     */
    public static boolean isAnnotated(Method m, Class<? extends Annotation> annotation) {
        if (m.isAnnotationPresent(annotation)) {
            return true;
        }
        for (Annotation a : m.getAnnotations()) {
            if (a.annotationType().isAnnotationPresent(annotation)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param type a class
     * @return the methods declared by the class and then by each of its superclasses below {@code Object},
     *     bridge and synthetic methods left out, each class's methods sorted by
     *     {@link Method#toGenericString()} so the order is stable (overridden methods are not hidden)
     */
    public static List<Method> declaredMethods(Class<?> type) {
        List<Method> out = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            Method[] declared = c.getDeclaredMethods();
            Arrays.sort(declared, Comparator.comparing(Method::toGenericString));
            for (Method m : declared) {
                if (!m.isBridge() && !m.isSynthetic()) {
                    out.add(m);
                }
            }
        }
        return out;
    }
}
