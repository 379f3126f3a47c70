package dev.rewind.internal.command;

import dev.rewind.annotation.Aggregate;
import dev.rewind.internal.dispatch.EventIndex;
import dev.rewind.internal.dispatch.HandlerInspector;
import dev.rewind.internal.dispatch.HandlerInspector.CommandMethod;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The routing table: command class -> its one handler, and the registered aggregates' models. Built
 * once at start-up; immutable afterwards.
 */
final class CommandHandlers {
    private final Map<Class<?>, CommandHandlerModel> byCommand;
    private final Map<Class<?>, AggregateModel<?>> aggregates;

    private CommandHandlers(Map<Class<?>, CommandHandlerModel> byCommand, Map<Class<?>, AggregateModel<?>> aggregates) {
        this.byCommand = Map.copyOf(byCommand);
        this.aggregates = Map.copyOf(aggregates);
    }

    /** @return a builder */
    static Builder builder() {
        return new Builder();
    }

    /**
     * @param commandType a command class
     * @return its handler
     * @throws IllegalArgumentException when none is registered
     */
    CommandHandlerModel handlerFor(Class<?> commandType) {
        CommandHandlerModel h = byCommand.get(commandType);
        if (h == null) {
            throw new IllegalArgumentException("no @CommandHandler for command " + commandType.getName()
                    + ": register the @Aggregate or the service that handles it");
        }
        return h;
    }

    /**
     * @param aggregateType a class
     * @param <A> the class
     * @return its model
     * @throws IllegalArgumentException when it is not a registered aggregate
     */
    @SuppressWarnings("unchecked")
    <A> AggregateModel<A> aggregate(Class<A> aggregateType) {
        AggregateModel<?> model = aggregates.get(aggregateType);
        if (model == null) {
            throw new IllegalArgumentException(aggregateType.getName() + " is not a registered @Aggregate: register it"
                    + " with Rewind.builder().aggregate(...) or scan its package (the registered ones are "
                    + aggregates.keySet().stream().map(Class::getName).sorted().toList() + ")");
        }
        return (AggregateModel<A>) model;
    }

    /** @return every handler */
    Collection<CommandHandlerModel> all() {
        return byCommand.values();
    }

    /** Collects aggregates and services; {@link #build} checks that each command has one handler. */
    static final class Builder {
        private final List<Class<?>> aggregates = new ArrayList<>();
        private final List<Object> services = new ArrayList<>();

        private Builder() {
        }

        /**
         * @param aggregateClass a class annotated {@link Aggregate}
         * @return this
         */
        Builder aggregate(Class<?> aggregateClass) {
            aggregates.add(Objects.requireNonNull(aggregateClass, "aggregateClass"));
            return this;
        }

        /**
         * @param service an object with {@code @CommandHandler(Command, Aggregate)} methods
         * @return this
         */
        Builder service(Object service) {
            services.add(Objects.requireNonNull(service, "service"));
            return this;
        }

        /**
         * @param inspector validates the handlers of every aggregate and service
         * @param index the event index
         * @return the routing table
         * @throws IllegalStateException naming both methods when two handle one command type, or naming
         *     the class or method that is not valid
         */
        CommandHandlers build(HandlerInspector inspector, EventIndex index) {
            Map<Class<?>, CommandHandlerModel> table = new LinkedHashMap<>();
            Map<Class<?>, AggregateModel<?>> models = new LinkedHashMap<>();
            for (Class<?> a : aggregates.stream().distinct().toList()) {
                AggregateModel<?> model = models.computeIfAbsent(a, c -> AggregateModel.inspect(c, inspector, index));
                for (CommandMethod m : inspector.commandHandlers(a, false)) {
                    put(table, CommandHandlerModel.onAggregate(m, model));
                }
            }
            for (Object s : services) {
                for (CommandMethod m : inspector.commandHandlers(s.getClass(), true)) {
                    AggregateModel<?> model = models.computeIfAbsent(m.aggregateType(),
                            c -> AggregateModel.inspect(c, inspector, index));
                    put(table, CommandHandlerModel.onService(m, s, model));
                }
            }
            return new CommandHandlers(table, models);
        }

        private static void put(Map<Class<?>, CommandHandlerModel> table, CommandHandlerModel h) {
            CommandHandlerModel existing = table.putIfAbsent(h.commandType(), h);
            if (existing != null) {
                throw new IllegalStateException("command " + h.commandType().getName()
                        + " has two @CommandHandler methods: " + existing.method().toGenericString() + " and "
                        + h.method().toGenericString() + "; a command type has exactly one handler");
            }
        }
    }
}
