package dev.rewind.internal.command;

import dev.rewind.internal.Members;
import dev.rewind.internal.dispatch.HandlerInspector.CommandMethod;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * One {@code @CommandHandler} method, validated by the handler inspector and bound once: the command
 * type, how to read its target id, the aggregate it needs, and a {@link MethodHandle} to call it.
 */
final class CommandHandlerModel {
    private final Class<?> commandType;
    private final Method method;
    private final AggregateModel<?> aggregate;
    private final MethodHandle invoker; // (aggregate, command)Object
    private final MethodHandle targetId; // (command)Object
    private final String targetComponent;

    private CommandHandlerModel(CommandMethod found, AggregateModel<?> aggregate, MethodHandle invoker) {
        this.commandType = found.commandType();
        this.method = found.method();
        this.aggregate = aggregate;
        this.invoker = invoker;
        this.targetComponent = found.target().getName();
        this.targetId = generic(found.target().getAccessor());
    }

    /**
     * A handler declared on the aggregate class: {@code handle(Command)}.
     *
     * @param found the validated method
     * @param aggregate the aggregate it is declared on
     * @return the model
     */
    static CommandHandlerModel onAggregate(CommandMethod found, AggregateModel<?> aggregate) {
        return new CommandHandlerModel(found, aggregate, generic(found.method())); // (aggregate, command)
    }

    /**
     * A handler declared on a service: {@code handle(Command, Aggregate)}, bound to the service instance.
     *
     * @param found the validated method
     * @param service the instance to call it on
     * @param aggregate the model of its second parameter
     * @return the model
     */
    static CommandHandlerModel onService(CommandMethod found, Object service, AggregateModel<?> aggregate) {
        MethodHandle bound = generic(found.method()).bindTo(service); // (command, aggregate)
        return new CommandHandlerModel(found, aggregate, MethodHandles.permuteArguments(bound, bound.type(), 1, 0));
    }

    /** @return a handle of the generic type {@code (Object...)Object}, the receiver first (void gives null) */
    private static MethodHandle generic(Method method) {
        try {
            MethodHandle mh = Members.method(method);
            return mh.asType(MethodType.genericMethodType(mh.type().parameterCount()));
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("@CommandHandler method '" + method.toGenericString()
                    + "' is not accessible to Rewind (" + e.getMessage() + "): make it public or open its package", e);
        }
    }

    /** @return the command type it handles */
    Class<?> commandType() {
        return commandType;
    }

    /** @return the handler method */
    Method method() {
        return method;
    }

    /** @return the aggregate it decides on */
    AggregateModel<?> aggregate() {
        return aggregate;
    }

    /**
     * @param command a command of {@link #commandType()}
     * @return the stream of the aggregate it addresses
     * @throws IllegalArgumentException when its target id is null or blank
     */
    String streamIdOf(Object command) {
        Object id;
        try {
            id = (Object) targetId.invokeExact(command);
        } catch (Throwable t) {
            throw Members.rethrow(t);
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
    List<Object> invoke(Object aggregateInstance, Object command) {
        Object out;
        try {
            out = (Object) invoker.invokeExact(aggregateInstance, command);
        } catch (Throwable t) {
            throw Members.rethrow(t);
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
