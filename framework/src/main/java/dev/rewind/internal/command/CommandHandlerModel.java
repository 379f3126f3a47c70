package dev.rewind.internal.command;

import dev.rewind.annotation.Aggregate;
import dev.rewind.annotation.TargetAggregateId;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * One {@code @CommandHandler} method, inspected once: the command type, how to read its target id, the
 * aggregate it needs, and a bound {@link MethodHandle} to call it.
 */
public final class CommandHandlerModel {
    private final Class<?> commandType;
    private final Method method;
    private final AggregateModel<?> aggregate;
    private final MethodHandle invoker; // (aggregate, command)Object
    private final MethodHandle targetId; // (command)Object
    private final String targetComponent;

    private CommandHandlerModel(Class<?> commandType, Method method, AggregateModel<?> aggregate,
                                MethodHandle invoker, RecordComponent target) {
        this.commandType = commandType;
        this.method = method;
        this.aggregate = aggregate;
        this.invoker = invoker;
        this.targetComponent = target.getName();
        this.targetId = Handles.generic(target.getAccessor());
    }

    /**
     * A handler declared on the aggregate class: {@code handle(Command)}.
     *
     * @param method the method
     * @param aggregate the aggregate it is declared on
     * @return the model
     */
    static CommandHandlerModel onAggregate(Method method, AggregateModel<?> aggregate) {
        if (method.getParameterCount() != 1) {
            throw new IllegalArgumentException("@CommandHandler method " + method.toGenericString()
                    + " on @Aggregate " + aggregate.type().getName()
                    + " must take the command as its only parameter");
        }
        Class<?> command = method.getParameterTypes()[0];
        MethodHandle mh = Handles.generic(method); // (aggregate, command)
        return new CommandHandlerModel(command, method, aggregate, mh, targetOf(command, method));
    }

    /**
     * A handler declared on a service: {@code handle(Command, Aggregate)}, bound to the service instance.
     *
     * @param method the method
     * @param service the instance to call it on
     * @param models gives the (cached) model of an aggregate class
     * @return the model
     */
    static CommandHandlerModel onService(Method method, Object service,
                                         java.util.function.Function<Class<?>, AggregateModel<?>> models) {
        if (method.getParameterCount() != 2) {
            throw new IllegalArgumentException("@CommandHandler method " + method.toGenericString()
                    + " on service " + service.getClass().getName()
                    + " must take two parameters: the command, then the @Aggregate it decides on");
        }
        Class<?> command = method.getParameterTypes()[0];
        Class<?> aggregateType = method.getParameterTypes()[1];
        if (!aggregateType.isAnnotationPresent(Aggregate.class)) {
            throw new IllegalArgumentException("@CommandHandler method " + method.toGenericString()
                    + ": its second parameter " + aggregateType.getName()
                    + " is not annotated @Aggregate (the gateway loads that aggregate and passes it)");
        }
        MethodHandle bound = Handles.generic(method).bindTo(service); // (command, aggregate)
        MethodHandle mh = java.lang.invoke.MethodHandles.permuteArguments(bound, bound.type(), 1, 0);
        return new CommandHandlerModel(command, method, models.apply(aggregateType), mh,
                targetOf(command, method));
    }

    private static RecordComponent targetOf(Class<?> command, Method method) {
        if (!command.isRecord()) {
            throw new IllegalArgumentException("@CommandHandler method " + method.toGenericString() + " takes "
                    + command.getName() + ", which is not a record: declare commands as records with one"
                    + " @TargetAggregateId component");
        }
        List<RecordComponent> marked = new ArrayList<>();
        for (RecordComponent rc : command.getRecordComponents()) {
            if (rc.isAnnotationPresent(TargetAggregateId.class)) {
                marked.add(rc);
            }
        }
        if (marked.size() != 1) {
            String simple = command.getSimpleName();
            throw new IllegalArgumentException(marked.isEmpty()
                    ? "command " + command.getName() + " has no @TargetAggregateId component: annotate the one"
                    + " that names the aggregate, e.g. record " + simple + "(@TargetAggregateId String id, ...)"
                    : "command " + command.getName() + " has " + marked.size() + " @TargetAggregateId components ("
                    + String.join(", ", marked.stream().map(RecordComponent::getName).toList())
                    + "): exactly one names the aggregate");
        }
        return marked.get(0);
    }

    /** @return the command type it handles */
    public Class<?> commandType() {
        return commandType;
    }

    /** @return the handler method */
    public Method method() {
        return method;
    }

    /** @return the aggregate it decides on */
    public AggregateModel<?> aggregate() {
        return aggregate;
    }

    /**
     * @param command a command of {@link #commandType()}
     * @return the stream of the aggregate it addresses
     * @throws IllegalArgumentException when its target id is null or blank
     */
    public String streamIdOf(Object command) {
        Object id;
        try {
            id = (Object) targetId.invokeExact(command);
        } catch (Throwable t) {
            throw Handles.rethrow(t);
        }
        if (id == null || id.toString().isBlank()) {
            throw new IllegalArgumentException("command " + commandType.getSimpleName() + " has a "
                    + (id == null ? "null" : "blank") + " @TargetAggregateId component '" + targetComponent + "'");
        }
        return aggregate.streamId(id.toString());
    }

    /**
     * Runs the handler. Whatever it throws reaches the caller unchanged.
     *
     * @param aggregateInstance the loaded aggregate
     * @param command the command
     * @return the new event payloads, in order (empty when it returned null, nothing or an empty collection)
     */
    public List<Object> invoke(Object aggregateInstance, Object command) {
        Object out;
        try {
            out = (Object) invoker.invokeExact(aggregateInstance, command);
        } catch (Throwable t) {
            throw Handles.rethrow(t);
        }
        if (out == null) {
            return List.of();
        }
        if (out instanceof Collection<?> events) {
            List<Object> list = new ArrayList<>(events.size());
            for (Object e : events) {
                if (e == null) {
                    throw new IllegalStateException("@CommandHandler method " + method.toGenericString()
                            + " returned a collection holding null");
                }
                list.add(e);
            }
            return list;
        }
        return List.of(out);
    }

    @Override
    public String toString() {
        return method.toGenericString();
    }
}
