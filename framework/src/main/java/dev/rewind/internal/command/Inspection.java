package dev.rewind.internal.command;

import dev.rewind.internal.Annotations;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
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
        for (Method m : Annotations.declaredMethods(type)) {
            if (!Annotations.isAnnotated(m, annotation)) {
                continue;
            }
            if (Modifier.isStatic(m.getModifiers())) {
                throw new IllegalArgumentException("@" + annotation.getSimpleName() + " method "
                        + m.toGenericString() + " is static: make it an instance method");
            }
            out.add(m);
        }
        return out;
    }
}
