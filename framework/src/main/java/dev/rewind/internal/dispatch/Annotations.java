package dev.rewind.internal.dispatch;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reflection look-ups for the handler inspector. */
final class Annotations {
    private Annotations() {
    }

    /**
     * Whether an element carries an annotation directly or through meta-annotations at any depth (an
     * annotation annotated with one annotated with it...). Each annotation type is visited once, so
     * annotations that annotate each other (a cycle, which Java allows) end the search instead of looping.
     *
     * @param element a method (or any annotated element)
     * @param annotation the annotation looked for
     * @return whether it is present, directly or as a meta-annotation
     */
    static boolean isAnnotated(AnnotatedElement element, Class<? extends Annotation> annotation) {
        if (element.isAnnotationPresent(annotation)) {
            return true;
        }
        Set<Class<? extends Annotation>> seen = new HashSet<>();
        Deque<Annotation> todo = new ArrayDeque<>(Arrays.asList(element.getAnnotations()));
        while (!todo.isEmpty()) {
            Class<? extends Annotation> type = todo.poll().annotationType();
            // @Retention, @Target and @Documented annotate themselves and can never lead to a handler annotation
            if (!seen.add(type) || type.getPackageName().equals("java.lang.annotation")) {
                continue;
            }
            if (type.isAnnotationPresent(annotation)) {
                return true;
            }
            todo.addAll(Arrays.asList(type.getAnnotations()));
        }
        return false;
    }

    /**
     * @param type a class
     * @return the methods declared by the class and then by each of its superclasses below {@code Object},
     *     bridge and synthetic methods left out, each class's methods sorted by
     *     {@link Method#toGenericString()} so the order is stable (overridden methods are not hidden)
     */
    static List<Method> declaredMethods(Class<?> type) {
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

    /**
     * @param type a class
     * @param annotation a handler annotation
     * @return the methods of the class and its superclasses carrying it (directly or as a meta-annotation),
     *     subclass first, in a stable order; a method overridden in a subclass counts once, as the override
     */
    static List<Method> annotatedMethods(Class<?> type, Class<? extends Annotation> annotation) {
        List<Method> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Method m : declaredMethods(type)) {
            String signature = m.getName() + Arrays.toString(m.getParameterTypes());
            if (seen.add(signature) && isAnnotated(m, annotation)) {
                out.add(m);
            }
        }
        return out;
    }
}
