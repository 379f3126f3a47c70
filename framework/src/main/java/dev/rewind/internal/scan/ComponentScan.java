package dev.rewind.internal.scan;

import io.github.classgraph.AnnotationInfo;
import io.github.classgraph.ClassGraph;
import io.github.classgraph.ClassInfo;
import io.github.classgraph.MethodInfo;
import io.github.classgraph.ScanResult;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The result of the one ClassGraph scan made at start-up over the packages the application and the
 * plugins named: for every annotation found on a class (or on a method of a class), the names of those
 * classes. The {@link ScanResult} is closed before this object is returned; classes are loaded only
 * when asked for.
 *
 * <p>This is the extension point for new component kinds: a part of the framework that needs, say, the
 * classes annotated {@code @Aggregate} or having {@code @CommandHandler} methods asks
 * {@link #classesWithAnnotation(Class)} or {@link #classesWithMethodAnnotation(Class)}; nothing here
 * needs to know the annotation in advance.
 */
public final class ComponentScan {
    /** A scan of no package: finds nothing. */
    public static final ComponentScan EMPTY = new ComponentScan(Map.of(), Map.of(), ComponentScan.class.getClassLoader());

    private final Map<String, Set<String>> byClassAnnotation;
    private final Map<String, Set<String>> byMethodAnnotation;
    private final ClassLoader loader;

    private ComponentScan(Map<String, Set<String>> byClassAnnotation, Map<String, Set<String>> byMethodAnnotation,
                          ClassLoader loader) {
        this.byClassAnnotation = byClassAnnotation;
        this.byMethodAnnotation = byMethodAnnotation;
        this.loader = loader;
    }

    /**
     * Scans the packages (and their sub-packages) once.
     *
     * @param loader the class loader to scan (in addition to the default ones) and to load classes with
     * @param packages package names
     * @return what was found
     */
    public static ComponentScan scan(ClassLoader loader, Collection<String> packages) {
        if (packages.isEmpty()) {
            return EMPTY;
        }
        Map<String, Set<String>> classes = new HashMap<>();
        Map<String, Set<String>> methods = new HashMap<>();
        ClassGraph graph = new ClassGraph().enableClassInfo().enableAnnotationInfo().enableMethodInfo()
                .ignoreClassVisibility().ignoreMethodVisibility()
                .acceptPackages(new LinkedHashSet<>(packages).toArray(new String[0]))
                .addClassLoader(loader);
        try (ScanResult result = graph.scan()) {
            for (ClassInfo ci : result.getAllClasses()) {
                for (AnnotationInfo a : ci.getAnnotationInfo()) {
                    classes.computeIfAbsent(a.getName(), k -> new TreeSet<>()).add(ci.getName());
                }
                for (MethodInfo m : ci.getDeclaredMethodInfo()) {
                    for (AnnotationInfo a : m.getAnnotationInfo()) {
                        methods.computeIfAbsent(a.getName(), k -> new TreeSet<>()).add(ci.getName());
                    }
                }
            }
        }
        return new ComponentScan(Map.copyOf(classes), Map.copyOf(methods), loader);
    }

    /**
     * @param annotation an annotation type
     * @return the scanned classes annotated with it (directly), sorted by name
     */
    public List<Class<?>> classesWithAnnotation(Class<? extends Annotation> annotation) {
        return load(byClassAnnotation.getOrDefault(annotation.getName(), Set.of()));
    }

    /**
     * @param annotation an annotation type
     * @return the scanned classes that declare a method annotated with it, sorted by name
     */
    public List<Class<?>> classesWithMethodAnnotation(Class<? extends Annotation> annotation) {
        return load(byMethodAnnotation.getOrDefault(annotation.getName(), Set.of()));
    }

    private List<Class<?>> load(Set<String> names) {
        List<Class<?>> out = new ArrayList<>(names.size());
        for (String n : names) {
            try {
                out.add(Class.forName(n, false, loader));
            } catch (ClassNotFoundException | LinkageError e) {
                throw new IllegalStateException("cannot load scanned class " + n + ": " + e, e);
            }
        }
        return out;
    }
}
