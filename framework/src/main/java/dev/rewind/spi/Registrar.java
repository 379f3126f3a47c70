package dev.rewind.spi;

/**
 * What a {@link RewindPlugin} registers its components with: the same kinds of component, with the same
 * rules, as {@code Rewind.builder()} takes. New component kinds are added here, so the plugin interface
 * itself never changes. Implemented by the framework only.
 */
public interface Registrar {
    /**
     * @param eventClass a record annotated {@link dev.rewind.annotation.Event}
     * @return this
     */
    Registrar eventType(Class<?> eventClass);

    /**
     * @param projectionClass a class annotated {@link dev.rewind.annotation.Projection}
     * @return this
     */
    Registrar projection(Class<?> projectionClass);

    /**
     * @param resolver an extra parameter resolver
     * @return this
     */
    Registrar parameterResolver(ParameterResolver resolver);

    /**
     * @param type the current type name
     * @param from the version the step reads
     * @param upcaster the step from {@code from} to {@code from + 1}
     * @return this
     */
    Registrar upcaster(String type, int from, EventUpcaster upcaster);

    /**
     * @param oldName a type name found in stored data that no type has any more
     * @param newName the registered type it reads as now
     * @return this
     */
    Registrar rename(String oldName, String newName);

    /**
     * Registers an aggregate for the command side. Classes annotated {@link dev.rewind.annotation.Aggregate}
     * in a package this plugin scans are registered without this.
     *
     * @param aggregateClass a class annotated {@link dev.rewind.annotation.Aggregate}
     * @return this
     */
    Registrar aggregate(Class<?> aggregateClass);

    /**
     * Registers services whose {@code @CommandHandler} methods take a command and the aggregate it targets
     * ({@code handle(ShipOrder c, Order order)}). A class with such methods in a scanned package must be
     * registered this way: the framework never creates services, since they have dependencies of their own.
     *
     * @param services instances, built by the plugin with their dependencies
     * @return this
     */
    Registrar commandHandlers(Object... services);

    /**
     * Registers event processors: instances of classes annotated {@link dev.rewind.annotation.EventProcessor},
     * built with their dependencies. This is the only way a processor runs: the framework never creates
     * one, and scanning does not look for them.
     *
     * @param processors instances
     * @return this
     */
    Registrar eventProcessors(Object... processors);

    /**
     * Registers every annotated component found by scanning these packages (and their sub-packages).
     *
     * @param packages package names
     * @return this
     */
    Registrar scanPackages(String... packages);
}
