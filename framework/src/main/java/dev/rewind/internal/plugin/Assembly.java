package dev.rewind.internal.plugin;

import dev.rewind.annotation.Aggregate;
import dev.rewind.annotation.Event;
import dev.rewind.annotation.EventProcessor;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.Upcaster;
import dev.rewind.internal.Members;
import dev.rewind.internal.plugin.Components.Entry;
import dev.rewind.internal.plugin.Components.RenameEntry;
import dev.rewind.internal.plugin.Components.UpcasterEntry;
import dev.rewind.internal.scan.ComponentScan;
import dev.rewind.spi.EventUpcaster;
import dev.rewind.spi.InstanceFactory;
import dev.rewind.spi.ParameterResolver;
import dev.rewind.spi.RewindPlugin;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Gathers every contribution made at start-up (the application's builder, the plugins it names, the
 * plugins found on the class path, and what scanning their packages found), checks conflicts between
 * them, and hands out the merged lists. Scanning happens here, once, over the packages of every
 * contributor. A plugin the builder names follows the same conflict rules as a discovered one.
 *
 * @param eventTypes event classes, each once
 * @param projections projection classes, each once, names unique
 * @param resolvers extra parameter resolvers
 * @param upcasters upcasters
 * @param renames renames
 * @param aggregates aggregate classes, each once (the scanned ones included)
 * @param services command handler services, each once
 * @param processors event processor instances, each once, names unique
 * @param scan the scan result, for component kinds handled elsewhere
 */
public record Assembly(List<Class<?>> eventTypes, List<Class<?>> projections, List<ParameterResolver> resolvers,
                       List<UpcasterEntry> upcasters, List<RenameEntry> renames, List<Class<?>> aggregates,
                       List<Object> services, List<Object> processors, ComponentScan scan) {
    /** The fix a conflict message names, for components with a name of their own and for the others. */
    private static final String RENAME = "keep one of them, or give each a unique name";
    private static final String KEEP_ONE = "keep one of them";

    /**
     * @param application what the builder registered
     * @param plugins the plugins given to the builder, in order
     * @param loader the class loader for plugins, services and scanning
     * @param discoverPlugins whether to look for {@code RewindPlugin}s and {@code ParameterResolver} services
     * @param factory creates the {@code @Upcaster} classes found by scanning; null for their no-argument constructor
     * @return the checked assembly
     * @throws IllegalStateException for a conflict, naming both sides, or a named plugin that failed
     */
    public static Assembly assemble(Components application, List<RewindPlugin> plugins, ClassLoader loader,
                                    boolean discoverPlugins, InstanceFactory factory) {
        List<Components> all = new ArrayList<>();
        all.add(application);
        Set<Class<?>> named = new HashSet<>();
        for (RewindPlugin p : plugins) {
            all.add(PluginLoader.registerExplicit(p));
            named.add(p.getClass());
        }
        if (discoverPlugins) {
            all.addAll(PluginLoader.plugins(loader, named));
        }
        List<String> packages = new ArrayList<>();
        all.forEach(c -> packages.addAll(c.packages));
        ComponentScan scan = ComponentScan.scan(loader, packages);
        addScanned(all, scan, factory);

        List<Entry<Class<?>>> events = new ArrayList<>();
        List<Entry<Class<?>>> projections = new ArrayList<>();
        List<ParameterResolver> resolvers = new ArrayList<>();
        List<UpcasterEntry> upcasters = new ArrayList<>();
        List<RenameEntry> renames = new ArrayList<>();
        List<Entry<Class<?>>> aggregates = new ArrayList<>();
        List<Entry<Object>> services = new ArrayList<>();
        List<Entry<Object>> processors = new ArrayList<>();
        for (Components c : all) {
            events.addAll(c.eventTypes);
            projections.addAll(c.projections);
            c.resolvers.forEach(r -> resolvers.add(r.value()));
            upcasters.addAll(c.upcasters);
            renames.addAll(c.renames);
            aggregates.addAll(c.aggregates);
            services.addAll(c.services);
            processors.addAll(c.processors);
        }
        if (discoverPlugins) {
            resolvers.addAll(PluginLoader.parameterResolvers(loader));
        }
        return new Assembly(unique(events, "event type", Assembly::eventName, RENAME),
                unique(projections, "projection", Assembly::projectionName, RENAME),
                List.copyOf(resolvers), List.copyOf(upcasters), List.copyOf(renames),
                unique(aggregates, "aggregate", Class::getName, KEEP_ONE),
                unique(services, "command handler service", s -> s.getClass().getName(), KEEP_ONE),
                checkedProcessors(processors), scan);
    }

    /**
     * Processors by unique name. Scanning does not look for them: a processor has dependencies, so only an
     * instance the application (or a plugin) registers runs; a test tool that scans an application's
     * packages for its aggregates must not start its side effects.
     */
    private static List<Object> checkedProcessors(List<Entry<Object>> processors) {
        return unique(processors, "event processor", p -> p.getClass().getAnnotation(EventProcessor.class).value(), RENAME);
    }

    /** Registers what scanning found with the contributor that named its package (the longest match). */
    private static void addScanned(List<Components> all, ComponentScan scan, InstanceFactory factory) {
        for (Class<?> c : scan.classesWithAnnotation(Event.class)) {
            owner(all, c).eventType(c, scanOrigin(all, c));
        }
        for (Class<?> c : scan.classesWithAnnotation(Projection.class)) {
            owner(all, c).projection(c, scanOrigin(all, c));
        }
        for (Class<?> c : scan.classesWithAnnotation(Aggregate.class)) {
            owner(all, c).aggregate(c, scanOrigin(all, c));
        }
        for (Class<?> c : scan.classesWithAnnotation(Upcaster.class)) {
            Upcaster u = c.getAnnotation(Upcaster.class);
            owner(all, c).upcaster(u.type(), u.from(), instantiate(c, factory), c.getName());
        }
    }

    private static Components owner(List<Components> all, Class<?> c) {
        Components best = null;
        int bestLength = -1;
        for (Components comp : all) {
            for (String p : comp.packages) {
                if ((c.getName().startsWith(p + ".")) && p.length() > bestLength) {
                    best = comp;
                    bestLength = p.length();
                }
            }
        }
        return Objects.requireNonNull(best, c.getName());
    }

    private static String scanOrigin(List<Components> all, Class<?> c) {
        Components o = owner(all, c);
        return (o.plugin() == null ? "" : o.origin() + ", ") + "scan of package '" + c.getPackageName() + "'";
    }

    private static EventUpcaster instantiate(Class<?> c, InstanceFactory factory) {
        if (!EventUpcaster.class.isAssignableFrom(c)) {
            throw new IllegalStateException("@Upcaster class " + c.getName() + " does not implement "
                    + EventUpcaster.class.getName() + ": implement its upcast(ObjectNode) method");
        }
        if (factory != null && !(factory instanceof InstanceFactory.NoArgConstructor)) {
            Object made;
            try {
                made = factory.create(c);
            } catch (RuntimeException e) {
                throw new IllegalStateException("@Upcaster class " + c.getName() + " cannot be created: the instance"
                        + " factory (" + factory + ") failed: " + e, e);
            }
            if (!(made instanceof EventUpcaster u) || !c.isInstance(made)) {
                throw new IllegalStateException("@Upcaster class " + c.getName() + " cannot be created: the instance"
                        + " factory (" + factory + ") returned " + (made == null ? "null" : "a " + made.getClass().getName())
                        + ": it must return an instance of that class");
            }
            return u;
        }
        String fix = ": give it a public no-argument constructor";
        Constructor<?> ctor = Members.noArgConstructor(c);
        if (ctor == null || Modifier.isAbstract(c.getModifiers())) {
            throw new IllegalStateException("@Upcaster class " + c.getName() + " cannot be instantiated ("
                    + (ctor == null ? "no no-argument constructor" : "abstract") + ")" + fix);
        }
        try {
            return (EventUpcaster) (Object) Members.constructor(ctor).invokeExact();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("@Upcaster class " + c.getName() + " cannot be instantiated (" + e + ")" + fix, e);
        }
    }

    private static String eventName(Class<?> c) {
        Event e = c.getAnnotation(Event.class);
        return e == null ? c.getName() : e.name();
    }

    private static String projectionName(Class<?> c) {
        Projection p = c.getAnnotation(Projection.class);
        return p == null ? c.getName() : p.value();
    }

    /**
     * Keeps each component once. Two different components under one name, or one name registered by two
     * different plugins, is an error naming both.
     */
    private static <T> List<T> unique(List<Entry<T>> entries, String kind, Function<T, String> naming, String fix) {
        Map<String, Entry<T>> byName = new LinkedHashMap<>();
        for (Entry<T> e : entries) {
            String name = naming.apply(e.value());
            Entry<T> first = byName.putIfAbsent(name, e);
            if (first == null) {
                continue;
            }
            boolean twoPlugins = first.plugin() != null && e.plugin() != null && !first.plugin().equals(e.plugin());
            if (first.value() != e.value() || twoPlugins) {
                throw new IllegalStateException(kind + " '" + name + "' is registered twice: " + describe(first.value())
                        + " (from " + first.origin() + ") and " + describe(e.value()) + " (from " + e.origin()
                        + "): " + fix);
            }
        }
        List<T> out = new ArrayList<>();
        byName.values().forEach(e -> out.add(e.value()));
        return List.copyOf(out);
    }

    private static String describe(Object component) {
        return component instanceof Class<?> c ? c.getName() : component.getClass().getName();
    }
}
