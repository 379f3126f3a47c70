package dev.rewind.internal.command;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Finds annotated methods, directly or through a meta-annotation, in a class and its superclasses. */
final class Inspection {
    private Inspection() {
    }

    /**
     * @param type a class
     * @param annotation the annotation looked for
     * @return its instance methods carrying the annotation (directly or as a meta-annotation), subclass
     *     first, in a stable order
     * @throws IllegalArgumentException for a static method carrying it
     */
    static List<Method> annotatedMethods(Class<?> type, Class<? extends Annotation> annotation) {
        List<Method> out = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            List<Method> declared = new ArrayList<>(List.of(c.getDeclaredMethods()));
            declared.sort(Comparator.comparing(Method::toGenericString));
            for (Method m : declared) {
                if (m.isSynthetic() || m.isBridge() || !isAnnotated(m, annotation)) {
                    continue;
                }
                if (Modifier.isStatic(m.getModifiers())) {
                    throw new IllegalArgumentException("@" + annotation.getSimpleName() + " method "
                            + m.toGenericString() + " is static: make it an instance method");
                }
                out.add(m);
            }
        }
        return out;
    }

    private static boolean isAnnotated(Method m, Class<? extends Annotation> annotation) {
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
}
