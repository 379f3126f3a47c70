package dev.rewind.test;

import dev.rewind.EventStore;
import dev.rewind.ExpectedVersion;
import dev.rewind.RawEvent;
import dev.rewind.Rewind;
import dev.rewind.StoredEvent;
import dev.rewind.annotation.Aggregate;
import dev.rewind.annotation.Event;
import dev.rewind.annotation.TargetAggregateId;
import dev.rewind.command.CommandGateway;
import dev.rewind.command.CommandMessage;
import dev.rewind.command.CommandResult;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Given/when/then tests for an aggregate's rules, on the real command gateway, event pipeline (with
 * upcasting) and an in-memory store. No mocks: the events given are appended to the command's stream,
 * the command is sent through the gateway, and what it appended is compared with what is expected.
 *
 * <pre>{@code
 * AggregateFixture<Order> orders = AggregateFixture.of(Order.class);
 *
 * orders.given(new OrderPlaced("42", "ada"), new ItemAdded("42", "book", 1_500))
 *       .when(new PayOrder("42", 1_500))
 *       .then(new OrderPaid("42", 1_500, "EUR"));
 *
 * orders.given(new OrderPlaced("42", "ada"), new OrderPaid("42", 1_500, "EUR"))
 *       .when(new PayOrder("42", 1_500))
 *       .thenFails(OrderAlreadyPaid.class);
 * }</pre>
 *
 * Failures are {@link AssertionError}s that show the command, the expected events and the actual ones
 * (or the exception), one per line. The fixture needs no test library; it lives in the {@code rewind-test}
 * artifact (add it with scope {@code test}) and uses only the framework's public API: a
 * {@code Rewind.builder()} with {@code memory:} storage, its {@link EventStore} and its
 * {@link CommandGateway}.
 *
 * <p>Event types are registered from the events given and expected and from the parameter and return
 * types of the aggregate's and the services' methods ({@link Event} records; sealed interfaces are
 * followed to their records); {@link #withEventTypes} and {@link #configure} add more (upcasters,
 * scanned packages).
 *
 * @param <A> the aggregate class
 */
public final class AggregateFixture<A> {
    private final Class<A> aggregateType;
    private final List<Object> services = new ArrayList<>();
    private final Set<Class<?>> eventTypes = new LinkedHashSet<>();
    private final List<Consumer<Rewind.Builder>> configurers = new ArrayList<>();

    private AggregateFixture(Class<A> aggregateType) {
        this.aggregateType = aggregateType;
    }

    /**
     * @param aggregateType a class annotated {@link dev.rewind.annotation.Aggregate}
     * @param <A> the class
     * @return a fixture for it
     * @throws IllegalArgumentException when the class is not annotated {@link Aggregate} (any other mistake
     *     in it stops the first scenario with the start-up error of {@code Rewind.Builder.build()})
     */
    public static <A> AggregateFixture<A> of(Class<A> aggregateType) {
        if (!aggregateType.isAnnotationPresent(Aggregate.class)) {
            throw new IllegalArgumentException(aggregateType.getName() + " is not annotated @Aggregate:"
                    + " AggregateFixture.of takes the aggregate class whose rules it tests");
        }
        return new AggregateFixture<>(aggregateType);
    }

    /**
     * @param service an object whose {@code @CommandHandler(Command, Aggregate)} methods also handle commands
     * @return this
     */
    public AggregateFixture<A> withService(Object service) {
        services.add(Objects.requireNonNull(service, "service"));
        return this;
    }

    /**
     * @param types more event records to register
     * @return this
     */
    public AggregateFixture<A> withEventTypes(Class<?>... types) {
        eventTypes.addAll(List.of(types));
        return this;
    }

    /**
     * @param configurer adjusts the {@link Rewind} the fixture builds (upcasters, clock, scanned packages...);
     *     the storage is always a new in-memory one
     * @return this
     */
    public AggregateFixture<A> configure(Consumer<Rewind.Builder> configurer) {
        configurers.add(Objects.requireNonNull(configurer, "configurer"));
        return this;
    }

    /**
     * Starts a scenario whose aggregate already has these events in its stream.
     *
     * @param events event records, {@link dev.rewind.NewEvent}s (to choose ids and metadata), or
     *     {@link RawEvent}s to give an event at an old schema version
     * @return the scenario, waiting for its command
     */
    public When given(Object... events) {
        return new When(List.of(events), List.of());
    }

    /** @return a scenario whose aggregate has no event yet */
    public When givenNoPriorActivity() {
        return given();
    }

    /**
     * Starts a scenario whose aggregate's stream holds what these commands appended, sent through the gateway.
     *
     * @param commands commands (or {@link dev.rewind.command.CommandMessage}s)
     * @return the scenario, waiting for its command
     */
    public When givenCommands(Object... commands) {
        return new When(List.of(), List.of(commands));
    }

    /** The scenario before its command. */
    public final class When {
        private final List<Object> givenEvents;
        private final List<Object> givenCommands;

        private When(List<Object> givenEvents, List<Object> givenCommands) {
            this.givenEvents = givenEvents;
            this.givenCommands = givenCommands;
        }

        /**
         * @param command the command under test (or a {@link dev.rewind.command.CommandMessage})
         * @return what to expect; the command runs at the first expectation
         */
        public Then when(Object command) {
            return new Then(givenEvents, givenCommands, Objects.requireNonNull(command, "command"));
        }
    }

    /** The expectations; the scenario runs once, at the first of them. */
    public final class Then {
        private final List<Object> givenEvents;
        private final List<Object> givenCommands;
        private final Object command;
        private final Set<Class<?>> expectedTypes = new LinkedHashSet<>();
        private Outcome outcome;

        private Then(List<Object> givenEvents, List<Object> givenCommands, Object command) {
            this.givenEvents = givenEvents;
            this.givenCommands = givenCommands;
            this.command = command;
        }

        /**
         * Expects the command to succeed and append exactly these events, in this order (compared with
         * {@code equals}); no argument means "appends nothing".
         *
         * @param expected event records
         * @return this, for more expectations
         * @throws AssertionError showing expected and actual events when they differ
         */
        public Then then(Object... expected) {
            for (Object e : expected) {
                expectedTypes.add(e.getClass());
            }
            Outcome o = run();
            List<Object> want = List.of(expected);
            if (o.failure != null) {
                throw new AssertionError(header() + "expected events:\n" + list(want)
                        + "but the command failed with " + describe(o.failure), o.failure);
            }
            List<Object> got = o.result.payloads();
            if (!got.equals(want)) {
                throw new AssertionError(header() + "expected events:\n" + list(want) + "actual events:\n" + list(got)
                        + "first difference at event " + firstDifference(want, got));
            }
            return this;
        }

        /**
         * Expects the command to append nothing and not to fail.
         *
         * @return this
         */
        public Then thenNoEvents() {
            return then();
        }

        /**
         * Expects the command to fail with this exception type (or a subtype); nothing is appended then.
         *
         * @param type the exception class
         * @return this
         * @throws AssertionError when it succeeded or failed otherwise
         */
        public Then thenFails(Class<? extends Throwable> type) {
            Outcome o = run();
            if (o.failure == null) {
                throw new AssertionError(header() + "expected the command to fail with " + type.getSimpleName()
                        + "\nbut it succeeded with events:\n" + list(o.result.payloads()).stripTrailing());
            }
            if (!type.isInstance(o.failure)) {
                throw new AssertionError(header() + "expected the command to fail with " + type.getSimpleName()
                        + "\nbut it failed with " + describe(o.failure), o.failure);
            }
            return this;
        }

        /**
         * Expects the command to fail with this exception type and exactly this message.
         *
         * @param type the exception class
         * @param message the exact message
         * @return this
         */
        public Then thenFails(Class<? extends Throwable> type, String message) {
            thenFails(type);
            Throwable failure = run().failure;
            if (!Objects.equals(failure.getMessage(), message)) {
                throw new AssertionError(header() + "expected the command to fail with " + type.getSimpleName()
                        + ": " + message + "\nbut it failed with " + describe(failure), failure);
            }
            return this;
        }

        /**
         * Checks the aggregate's state after the command, rebuilt from its whole stream (after a failed
         * command: the state the given events made).
         *
         * @param check assertions on the aggregate (AssertJ, JUnit, ...)
         * @return this
         */
        public Then thenState(Consumer<? super A> check) {
            Outcome o = run();
            check.accept(aggregateType.cast(o.stateAfter));
            return this;
        }

        /**
         * Checks the events the command appended as stored: ids, metadata, positions.
         *
         * @param check assertions on the stored events
         * @return this
         */
        public Then thenStoredEvents(Consumer<List<StoredEvent<?>>> check) {
            Outcome o = run();
            check.accept(o.failure == null ? o.result.events() : List.of());
            return this;
        }

        private String header() {
            return "when " + describeCommand(command) + "\n";
        }

        private Outcome run() {
            if (outcome == null) {
                outcome = execute(givenEvents, givenCommands, command, expectedTypes);
            }
            return outcome;
        }
    }

    private record Outcome(CommandResult result, Throwable failure, Object stateAfter) {
    }

    private Outcome execute(List<Object> givenEvents, List<Object> givenCommands, Object command,
                            Set<Class<?>> expectedTypes) {
        Set<Class<?>> types = new LinkedHashSet<>(eventTypes);
        types.addAll(expectedTypes);
        for (Object e : givenEvents) {
            if (e instanceof dev.rewind.NewEvent n) {
                types.add(n.payload().getClass());
            } else if (!(e instanceof RawEvent)) {
                types.add(e.getClass());
            }
        }
        collectFromMethods(aggregateType, types);
        services.forEach(s -> collectFromMethods(s.getClass(), types));
        Rewind.Builder builder = Rewind.builder().storage("memory:")
                .eventTypes(types.toArray(Class<?>[]::new)).aggregate(aggregateType)
                .commandHandlers(services.toArray());
        configurers.forEach(c -> c.accept(builder));
        try (Rewind rewind = builder.build()) {
            EventStore store = rewind.store();
            CommandGateway gateway = rewind.commands();
            Object target = command instanceof CommandMessage m ? m.command() : command;
            String aggregateId = targetId(target);
            appendGiven(store, streamId(aggregateId), givenEvents);
            givenCommands.forEach(gateway::send);
            CommandResult result = null;
            Throwable failure = null;
            try {
                result = gateway.send(command);
            } catch (RuntimeException e) { // rule violations; checked ones arrive here too, unchanged
                failure = e;
            } catch (Exception e) {
                failure = e;
            }
            Object state = gateway.load(aggregateType, aggregateId);
            return new Outcome(result, failure, state);
        }
    }

    private String streamId(String aggregateId) {
        return aggregateType.getAnnotation(Aggregate.class).streamPrefix() + aggregateId;
    }

    /** @return the value of the command's {@link TargetAggregateId} component, as the gateway reads it */
    private static String targetId(Object command) {
        RecordComponent target = null;
        if (command.getClass().isRecord()) {
            for (RecordComponent rc : command.getClass().getRecordComponents()) {
                if (rc.isAnnotationPresent(TargetAggregateId.class)) {
                    target = rc;
                }
            }
        }
        if (target == null) {
            throw new IllegalArgumentException("command " + command.getClass().getName() + " is not a record with a"
                    + " @TargetAggregateId component: the fixture reads its aggregate id from it");
        }
        Object id = componentValue(target, command);
        if (id == null) {
            throw new IllegalArgumentException("command " + command + " has a null @TargetAggregateId component '"
                    + target.getName() + "'");
        }
        return id.toString();
    }

    private static Object componentValue(RecordComponent component, Object record) {
        try {
            Method accessor = component.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(record);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot read component '" + component.getName() + "' of " + record
                    + ": " + e, e);
        }
    }

    private static void appendGiven(EventStore store, String streamId, List<Object> events) {
        for (Object e : events) {
            if (e instanceof RawEvent raw) {
                store.appendRaw(streamId, ExpectedVersion.any(), List.of(raw));
            } else {
                store.append(streamId, ExpectedVersion.any(), List.of(e));
            }
        }
    }

    /** The event records named in the parameter and return types of a class's methods (and its superclasses'). */
    private static void collectFromMethods(Class<?> type, Set<Class<?>> into) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                collectEventTypes(m.getGenericReturnType(), into);
                for (Type p : m.getGenericParameterTypes()) {
                    collectEventTypes(p, into);
                }
            }
        }
    }

    private static void collectEventTypes(Type type, Set<Class<?>> into) {
        if (type instanceof ParameterizedType p) {
            for (Type arg : p.getActualTypeArguments()) {
                collectEventTypes(arg, into);
            }
        } else if (type instanceof WildcardType w) {
            for (Type bound : w.getUpperBounds()) {
                collectEventTypes(bound, into);
            }
        } else if (type instanceof Class<?> c) {
            if (c.isAnnotationPresent(Event.class)) {
                into.add(c);
            } else if (c.isSealed()) {
                for (Class<?> sub : c.getPermittedSubclasses()) {
                    collectEventTypes(sub, into);
                }
            }
        }
    }

    static String describeCommand(Object command) {
        return command instanceof CommandMessage m
                ? m.command() + (m.commandId() == null ? "" : " (command id " + m.commandId() + ")")
                : String.valueOf(command);
    }

    static String describe(Throwable t) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    static String list(List<?> events) {
        if (events.isEmpty()) {
            return "  (none)\n";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < events.size(); i++) {
            b.append("  ").append(i).append(": ").append(events.get(i)).append('\n');
        }
        return b.toString();
    }

    private static int firstDifference(List<?> want, List<?> got) {
        int i = 0;
        while (i < want.size() && i < got.size() && want.get(i).equals(got.get(i))) {
            i++;
        }
        return i;
    }
}
