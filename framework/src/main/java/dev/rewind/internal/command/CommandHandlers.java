package dev.rewind.internal.command;

import dev.rewind.annotation.Aggregate;
import dev.rewind.annotation.CommandHandler;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The routing table: command class -> its one handler. Built once at start-up; immutable afterwards.
 */
public final class CommandHandlers {
    private final Map<Class<?>, CommandHandlerModel> byCommand;

    private CommandHandlers(Map<Class<?>, CommandHandlerModel> byCommand) {
        this.byCommand = Map.copyOf(byCommand);
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param commandType a command class
     * @return its handler
     * @throws IllegalArgumentException when none is registered
     */
    public CommandHandlerModel handlerFor(Class<?> commandType) {
        CommandHandlerModel h = byCommand.get(commandType);
        if (h == null) {
            throw new IllegalArgumentException("no @CommandHandler for command " + commandType.getName()
                    + ": register the @Aggregate or the service that handles it");
        }
        return h;
    }

    /** @return every handler */
    public Collection<CommandHandlerModel> all() {
        return byCommand.values();
    }

    /** Collects aggregates and services; {@link #build()} checks that each command has one handler. */
    public static final class Builder {
        private final List<Class<?>> aggregates = new ArrayList<>();
        private final List<Object> services = new ArrayList<>();

        private Builder() {
        }

        /**
         * @param aggregateClass a class annotated {@link Aggregate}
         * @return this
         */
        public Builder aggregate(Class<?> aggregateClass) {
            aggregates.add(Objects.requireNonNull(aggregateClass, "aggregateClass"));
            return this;
        }

        /**
         * @param service an object with {@code @CommandHandler(Command, Aggregate)} methods
         * @return this
         */
        public Builder service(Object service) {
            Objects.requireNonNull(service, "service");
            if (service instanceof Class<?>) {
                throw new IllegalArgumentException("a command handler service is an instance, not a class: pass new "
                        + ((Class<?>) service).getSimpleName() + "(...), or register an @Aggregate class with aggregate(...)");
            }
            services.add(service);
            return this;
        }

        /**
         * @return the routing table
         * @throws IllegalArgumentException naming both methods when two handle one command type, or naming
         *     the class or method that is not valid
         */
        public CommandHandlers build() {
            Map<Class<?>, CommandHandlerModel> table = new LinkedHashMap<>();
            Map<Class<?>, AggregateModel<?>> models = new LinkedHashMap<>();
            for (Class<?> a : aggregates.stream().distinct().toList()) {
                AggregateModel<?> model = models.computeIfAbsent(a, AggregateModel::inspect);
                for (Method m : Inspection.annotatedMethods(a, CommandHandler.class)) {
                    put(table, CommandHandlerModel.onAggregate(m, model));
                }
            }
            for (Object s : services) {
                List<Method> methods = Inspection.annotatedMethods(s.getClass(), CommandHandler.class);
                if (methods.isEmpty()) {
                    throw new IllegalArgumentException("service " + s.getClass().getName()
                            + " has no @CommandHandler method");
                }
                for (Method m : methods) {
                    put(table, CommandHandlerModel.onService(m, s, c -> models.computeIfAbsent(c, AggregateModel::inspect)));
                }
            }
            return new CommandHandlers(table);
        }

        private static void put(Map<Class<?>, CommandHandlerModel> table, CommandHandlerModel h) {
            CommandHandlerModel existing = table.putIfAbsent(h.commandType(), h);
            if (existing != null) {
                throw new IllegalArgumentException("command " + h.commandType().getName()
                        + " has two @CommandHandler methods: " + existing.method().toGenericString() + " and "
                        + h.method().toGenericString() + "; a command type has exactly one handler");
            }
        }
    }
}
