package dev.rewind.internal.plugin;

import dev.rewind.spi.EventUpcaster;
import dev.rewind.spi.ParameterResolver;
import dev.rewind.spi.Registrar;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What one contributor (the application's builder, or one plugin) registered, each entry remembering
 * where it came from so that start-up errors can name both sides of a conflict.
 */
public final class Components implements Registrar {

    /**
     * @param value the component
     * @param origin where it came from, for messages ("Rewind.builder()", "plugin X", "scan of package 'p'")
     * @param plugin the plugin's name, or null for the application
     * @param <T> the component type
     */
    public record Entry<T>(T value, String origin, String plugin) {
    }

    /**
     * @param type the type name
     * @param from the version the step reads
     * @param upcaster the step
     * @param origin who declared it
     */
    public record UpcasterEntry(String type, int from, EventUpcaster upcaster, String origin) {
    }

    /**
     * @param oldName the stored name
     * @param newName the registered type
     * @param origin who declared it
     */
    public record RenameEntry(String oldName, String newName, String origin) {
    }

    private final String origin;
    private final String plugin;
    final List<Entry<Class<?>>> eventTypes = new ArrayList<>();
    final List<Entry<Class<?>>> projections = new ArrayList<>();
    final List<Entry<ParameterResolver>> resolvers = new ArrayList<>();
    final List<UpcasterEntry> upcasters = new ArrayList<>();
    final List<RenameEntry> renames = new ArrayList<>();
    final List<Entry<Class<?>>> aggregates = new ArrayList<>();
    final List<Entry<Object>> services = new ArrayList<>();
    final List<Entry<Object>> processors = new ArrayList<>();
    final List<String> packages = new ArrayList<>();

    /**
     * @param origin the contributor, for messages
     * @param plugin the plugin's name, or null for the application
     */
    public Components(String origin, String plugin) {
        this.origin = origin;
        this.plugin = plugin;
    }

    /** @return the contributor, for messages */
    public String origin() {
        return origin;
    }

    /** @return the plugin's name, or null for the application */
    public String plugin() {
        return plugin;
    }

    /** @return the packages this contributor asked to scan */
    public List<String> packages() {
        return List.copyOf(packages);
    }

    @Override
    public Components eventType(Class<?> eventClass) {
        return eventType(eventClass, origin);
    }

    /**
     * @param eventClass an event record
     * @param from where it came from
     * @return this
     */
    public Components eventType(Class<?> eventClass, String from) {
        eventTypes.add(new Entry<>(Objects.requireNonNull(eventClass, "eventClass"), from, plugin));
        return this;
    }

    @Override
    public Components projection(Class<?> projectionClass) {
        return projection(projectionClass, origin);
    }

    /**
     * @param projectionClass a projection class
     * @param from where it came from
     * @return this
     */
    public Components projection(Class<?> projectionClass, String from) {
        projections.add(new Entry<>(Objects.requireNonNull(projectionClass, "projectionClass"), from, plugin));
        return this;
    }

    @Override
    public Components parameterResolver(ParameterResolver resolver) {
        resolvers.add(new Entry<>(Objects.requireNonNull(resolver, "resolver"), origin, plugin));
        return this;
    }

    @Override
    public Components upcaster(String type, int from, EventUpcaster upcaster) {
        Objects.requireNonNull(upcaster, "upcaster");
        return upcaster(type, from, upcaster, upcaster.getClass().getName() + " (from " + origin + ")");
    }

    /**
     * @param type the type name
     * @param from the version the step reads
     * @param upcaster the step
     * @param declaredBy who declared it, for messages
     * @return this
     */
    public Components upcaster(String type, int from, EventUpcaster upcaster, String declaredBy) {
        upcasters.add(new UpcasterEntry(Objects.requireNonNull(type, "type"), from,
                Objects.requireNonNull(upcaster, "upcaster"), declaredBy));
        return this;
    }

    @Override
    public Components rename(String oldName, String newName) {
        renames.add(new RenameEntry(Objects.requireNonNull(oldName, "oldName"), Objects.requireNonNull(newName, "newName"), origin));
        return this;
    }

    @Override
    public Components aggregate(Class<?> aggregateClass) {
        return aggregate(aggregateClass, origin);
    }

    /**
     * @param aggregateClass an aggregate class
     * @param from where it came from
     * @return this
     */
    Components aggregate(Class<?> aggregateClass, String from) {
        aggregates.add(new Entry<>(Objects.requireNonNull(aggregateClass, "aggregateClass"), from, plugin));
        return this;
    }

    @Override
    public Components commandHandlers(Object... instances) {
        for (Object s : instances) {
            if (s instanceof Class<?> c) { // refused where it is given, not at build()
                throw new IllegalArgumentException("a command handler service is an instance, not a class: pass new "
                        + c.getSimpleName() + "(...), or register an @Aggregate class with aggregate(...)");
            }
            services.add(new Entry<>(Objects.requireNonNull(s, "service"), origin, plugin));
        }
        return this;
    }

    @Override
    public Components eventProcessors(Object... instances) {
        for (Object p : instances) {
            Objects.requireNonNull(p, "processor");
            if (p instanceof Class<?> c) { // refused where it is given, not at build()
                throw new IllegalArgumentException("an event processor is an instance, not a class: pass new "
                        + c.getSimpleName() + "(...) with its dependencies");
            }
            if (!p.getClass().isAnnotationPresent(dev.rewind.annotation.EventProcessor.class)) {
                throw new IllegalArgumentException(p.getClass().getName() + " is not annotated @EventProcessor: annotate"
                        + " its class with @EventProcessor(\"name\") (from " + origin + ")");
            }
            processors.add(new Entry<>(p, origin, plugin));
        }
        return this;
    }

    @Override
    public Components scanPackages(String... names) {
        for (String p : names) {
            if (p == null || p.isBlank()) {
                throw new IllegalArgumentException("scanPackages: a package name is null or blank (from " + origin + ")");
            }
            packages.add(p);
        }
        return this;
    }
}
