package dev.rewind.internal.command;

import dev.rewind.EventStore;
import dev.rewind.annotation.Aggregate;
import dev.rewind.annotation.CommandHandler;
import dev.rewind.command.CommandGateway;
import dev.rewind.internal.dispatch.EventIndex;
import dev.rewind.internal.dispatch.HandlerInspector;
import dev.rewind.internal.scan.ComponentScan;
import dev.rewind.spi.InstanceFactory;
import dev.rewind.spi.SnapshotStorage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What {@code Rewind.builder()} collects for the command side, and how it becomes the gateway at
 * {@code build()}: registered and scanned {@link Aggregate} classes, service instances, snapshot
 * settings and the number of attempts.
 */
public final class CommandConfig {
    private final List<Class<?>> aggregates = new ArrayList<>();
    private final List<Object> services = new ArrayList<>();
    /** Creates scanned services nobody registered; null when the application set no factory. */
    private InstanceFactory factory;
    private SnapshotStorage snapshots;
    private int snapshotEvery;
    /** How many times a command runs before a concurrency conflict is reported, unless configured. */
    public static final int DEFAULT_ATTEMPTS = DefaultCommandGateway.DEFAULT_MAX_ATTEMPTS;

    private int attempts = DEFAULT_ATTEMPTS;

    /** An empty configuration: no aggregates, no snapshots, 3 attempts. */
    public CommandConfig() {
    }

    /** @param aggregateClass a class annotated {@link Aggregate} */
    public void aggregate(Class<?> aggregateClass) {
        aggregates.add(Objects.requireNonNull(aggregateClass, "aggregateClass"));
    }

    /**
     * @param service an object with {@code @CommandHandler(Command, Aggregate)} methods
     * @throws IllegalArgumentException when it is a class rather than an instance
     */
    public void service(Object service) {
        Objects.requireNonNull(service, "service");
        if (service instanceof Class<?> c) {
            throw new IllegalArgumentException("a command handler service is an instance, not a class: pass new "
                    + c.getSimpleName() + "(...), or register an @Aggregate class with aggregate(...)");
        }
        services.add(service);
    }

    /**
     * @param storage where snapshots are kept
     * @param everyEvents write one when a command leaves a stream this many events past its last snapshot, 1 or more
     */
    public void snapshots(SnapshotStorage storage, int everyEvents) {
        if (everyEvents < 1) {
            throw new IllegalArgumentException("snapshot interval must be 1 or more events, was " + everyEvents);
        }
        this.snapshots = Objects.requireNonNull(storage, "storage");
        this.snapshotEvery = everyEvents;
    }

    /** @param maxAttempts how many times a command runs before a concurrency conflict is reported, 1 or more */
    public void attempts(int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("command attempts must be 1 or more, was " + maxAttempts);
        }
        this.attempts = maxAttempts;
    }

    /**
     * @param factory creates the command-handler services found by scanning that nobody registered; null
     *     (the default) makes such a class a start-up error instead
     */
    public void instanceFactory(InstanceFactory factory) {
        this.factory = factory;
    }

    private Object created(Class<?> c) {
        Object made;
        try {
            made = factory.create(c);
        } catch (RuntimeException e) {
            throw new IllegalStateException("command handler service " + c.getName() + " cannot be created: the instance"
                    + " factory (" + factory + ") failed: " + e, e);
        }
        if (!c.isInstance(made)) {
            throw new IllegalStateException("command handler service " + c.getName() + " cannot be created: the instance"
                    + " factory (" + factory + ") returned " + (made == null ? "null" : "a " + made.getClass().getName())
                    + ": it must return an instance of that class");
        }
        return made;
    }

    /**
     * Builds the gateway: validates every handler and aggregate (start-up errors name the method and the
     * fix).
     *
     * @param store the event store
     * @param inspector the handler inspector (with the registered event types and parameter resolvers)
     * @param index the event index
     * @param scan what the start-up scan found
     * @return the gateway
     * @throws IllegalStateException naming the class or method and the fix for anything not valid
     */
    public CommandGateway build(EventStore store, HandlerInspector inspector, EventIndex index, ComponentScan scan) {
        Set<Class<?>> all = new LinkedHashSet<>(aggregates);
        all.addAll(scan.classesWithAnnotation(Aggregate.class));
        CommandHandlers.Builder handlers = CommandHandlers.builder();
        all.forEach(handlers::aggregate);
        services.forEach(handlers::service);
        Set<Class<?>> serviceClasses = new LinkedHashSet<>();
        services.forEach(s -> serviceClasses.add(s.getClass()));
        for (Class<?> c : scan.classesWithMethodAnnotation(CommandHandler.class)) {
            if (!all.contains(c) && !serviceClasses.contains(c)) {
                if (factory == null) {
                    // a service has dependencies a no-argument constructor cannot give: only a factory the
                    // application chose (a container's) may create one it did not register
                    throw new IllegalStateException(c.getName() + " declares @CommandHandler methods but is neither"
                            + " an @Aggregate nor a registered service: pass an instance to"
                            + " Rewind.builder().commandHandlers(...) (or, from a plugin, Registrar.commandHandlers(...)),"
                            + " or set an InstanceFactory that creates it (Rewind.builder().instanceFactory(...))");
                }
                handlers.service(created(c));
            }
        }
        return new DefaultCommandGateway(store, handlers.build(inspector, index),
                new AggregateLoader(store, snapshots, snapshotEvery), attempts);
    }
}
