package dev.rewind.internal.command;

import dev.rewind.EventStore;
import dev.rewind.annotation.Aggregate;
import dev.rewind.annotation.CommandHandler;
import dev.rewind.command.CommandGateway;
import dev.rewind.internal.dispatch.EventIndex;
import dev.rewind.internal.dispatch.HandlerInspector;
import dev.rewind.internal.scan.ComponentScan;
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
                throw new IllegalStateException(c.getName() + " declares @CommandHandler methods but is neither"
                        + " an @Aggregate nor a registered service: pass an instance to"
                        + " Rewind.builder().commandHandlers(...) (or, from a plugin, Registrar.commandHandlers(...))");
            }
        }
        return new DefaultCommandGateway(store, handlers.build(inspector, index),
                new AggregateLoader(store, snapshots, snapshotEvery), attempts);
    }
}
