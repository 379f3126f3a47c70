package dev.rewind.test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rewind.EventStore;
import dev.rewind.ExpectedVersion;
import dev.rewind.NewEvent;
import dev.rewind.RawEvent;
import dev.rewind.Rewind;
import dev.rewind.StoredEvent;
import dev.rewind.annotation.Aggregate;
import dev.rewind.annotation.Event;
import dev.rewind.annotation.TargetAggregateId;
import dev.rewind.command.CommandGateway;
import dev.rewind.command.CommandMessage;
import dev.rewind.command.CommandResult;
import dev.rewind.spi.EventUpcaster;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Given/when/then tests for an aggregate's rules, on the real command gateway, event pipeline (with
 * upcasting) and an in-memory store. No mocks: the events given are appended to their aggregate's
 * stream, the command is sent through the gateway, and what it appended is compared with what is
 * expected.
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
 * <p><b>Which stream a given event goes to.</b> Every given event belongs to an aggregate of the
 * fixture's class, and goes to that aggregate's stream ({@link Aggregate#streamPrefix()} followed by its
 * id), never blindly to the command's:
 * <ul>
 *   <li>the event names its aggregate in a record component annotated {@link TargetAggregateId}, or else
 *       in a component with the same name as the command's {@link TargetAggregateId} component
 *       ({@code AccountOpened(String accountId, ...)} for {@code Deposit(@TargetAggregateId String accountId, ...)});
 *       its value's {@code toString()} is the id, as for a command. A {@link RawEvent} names it in the
 *       JSON field of that name;</li>
 *   <li>an event naming another aggregate goes to that aggregate's stream: given
 *       {@code AccountOpened("B", ...)}, the command {@code Deposit("A", ...)} meets an account A that was
 *       never opened;</li>
 *   <li>an event that names no aggregate (no such component, or a null value) is refused by
 *       {@link When#when} with an {@link IllegalArgumentException} saying how to fix it: name the
 *       aggregate in such a component, or give the event with {@link #givenFor(String, Object...)},
 *       which puts events into the stream of the aggregate it names, whatever they contain.</li>
 * </ul>
 * {@link Then#thenState} checks the aggregate the command addressed; the command must be one on an
 * aggregate of the fixture's class.
 *
 * <p><b>Event types and upcasters.</b> Event types are registered from the events given and expected
 * and from the parameter and return types of the methods of the aggregate, of the services and of the
 * aggregates their handlers take ({@link Event} records; sealed interfaces are followed to their records). {@link #scanPackages} scans packages as
 * {@code Rewind.builder().scanPackages} does (event types, {@code @Upcaster} classes, and the projections
 * and aggregates found there); {@link #withUpcaster}, {@link #withEventTypes} and {@link #configure} add
 * more. A given {@link RawEvent} at an old schema version goes through the upcasters, as stored data
 * would; when one is missing, the scenario stops with an {@link IllegalStateException} naming these
 * methods.
 *
 * @param <A> the aggregate class
 */
public final class AggregateFixture<A> {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Class<A> aggregateType;
    private final List<Object> services = new ArrayList<>();
    private final Set<Class<?>> eventTypes = new LinkedHashSet<>();
    private final List<Consumer<Rewind.Builder>> configurers = new ArrayList<>();

    private AggregateFixture(Class<A> aggregateType) {
        this.aggregateType = aggregateType;
    }

    /**
     * @param aggregateType a class annotated {@link Aggregate}
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
     * Scans packages and their sub-packages as {@code Rewind.builder().scanPackages} does: {@code @Event}
     * records and {@code @Upcaster} classes (so that given {@link RawEvent}s at old versions are upcast),
     * and also the projections and aggregates found there.
     *
     * @param packages package names, for example {@code "com.example.orders"}
     * @return this
     */
    public AggregateFixture<A> scanPackages(String... packages) {
        configurers.add(b -> b.scanPackages(packages));
        return this;
    }

    /**
     * @param type the event type name
     * @param from the version the upcaster reads
     * @param upcaster turns version {@code from} into {@code from + 1}
     * @return this
     */
    public AggregateFixture<A> withUpcaster(String type, int from, EventUpcaster upcaster) {
        Objects.requireNonNull(upcaster, "upcaster");
        configurers.add(b -> b.upcaster(type, from, upcaster));
        return this;
    }

    /**
     * @param configurer adjusts the {@link Rewind} the fixture builds (clock, parameter resolvers,
     *     snapshots...); the storage is always a new in-memory one
     * @return this
     */
    public AggregateFixture<A> configure(Consumer<Rewind.Builder> configurer) {
        configurers.add(Objects.requireNonNull(configurer, "configurer"));
        return this;
    }

    /**
     * Starts a scenario whose aggregates already have these events in their streams, each in the stream
     * of the aggregate it names (see the class comment).
     *
     * @param events event records, {@link NewEvent}s (to choose ids and metadata), or {@link RawEvent}s to
     *     give an event at an old schema version
     * @return the scenario, waiting for its command
     */
    public When given(Object... events) {
        return new When(List.of()).andGiven(events);
    }

    /**
     * Starts a scenario whose aggregate {@code aggregateId} already has these events in its stream, whatever
     * the events contain.
     *
     * @param aggregateId the id of an aggregate of the fixture's class
     * @param events event records, {@link NewEvent}s or {@link RawEvent}s
     * @return the scenario, waiting for its command
     */
    public When givenFor(String aggregateId, Object... events) {
        return new When(List.of()).andGivenFor(aggregateId, events);
    }

    /** @return a scenario whose aggregate has no event yet */
    public When givenNoPriorActivity() {
        return new When(List.of());
    }

    /**
     * Starts a scenario whose streams hold what these commands appended, sent through the gateway.
     *
     * @param commands commands (or {@link CommandMessage}s)
     * @return the scenario, waiting for its command
     */
    public When givenCommands(Object... commands) {
        return new When(List.of()).andGivenCommands(commands);
    }

    /** What happened before the command: events (for the aggregate they name, or for a given id) or commands. */
    private record Given(List<Object> events, String aggregateId, List<Object> commands) {
    }

    /** The scenario before its command; immutable, so one start can be shared by several scenarios. */
    public final class When {
        private final List<Given> given;

        private When(List<Given> given) {
            this.given = given;
        }

        /**
         * @param events more events, each for the aggregate it names (see {@link AggregateFixture})
         * @return the scenario with them after what was given so far
         */
        public When andGiven(Object... events) {
            return with(new Given(List.of(events), null, List.of()));
        }

        /**
         * @param aggregateId the id of an aggregate of the fixture's class
         * @param events more events for that aggregate, whatever they contain
         * @return the scenario with them after what was given so far
         */
        public When andGivenFor(String aggregateId, Object... events) {
            if (aggregateId == null || aggregateId.isBlank()) {
                throw new IllegalArgumentException("givenFor needs the id of an aggregate, was "
                        + (aggregateId == null ? "null" : "blank"));
            }
            return with(new Given(List.of(events), aggregateId, List.of()));
        }

        /**
         * @param commands more commands, sent through the gateway
         * @return the scenario with them after what was given so far
         */
        public When andGivenCommands(Object... commands) {
            return with(new Given(List.of(), null, List.of(commands)));
        }

        private When with(Given more) {
            List<Given> all = new ArrayList<>(given);
            all.add(more);
            return new When(List.copyOf(all));
        }

        /**
         * @param command the command under test (or a {@link CommandMessage})
         * @return what to expect; the command runs at the first expectation
         * @throws IllegalArgumentException when the command is not a record with one {@link TargetAggregateId}
         *     component, or a given event names no aggregate (see {@link AggregateFixture})
         */
        public Then when(Object command) {
            Objects.requireNonNull(command, "command");
            Object target = command instanceof CommandMessage m ? m.command() : command;
            RecordComponent targetComponent = targetComponent(target);
            Object targetId = componentValue(targetComponent, target);
            // a null or blank id is the gateway's to refuse: the scenario then expects its exception
            String aggregateId = targetId == null || targetId.toString().isBlank() ? null : targetId.toString();
            List<Append> appends = new ArrayList<>();
            int index = 0;
            for (Given g : given) {
                for (Object e : g.events()) {
                    String id = g.aggregateId() != null ? g.aggregateId() : aggregateIdOf(e, index, targetComponent);
                    appends.add(new Append(index, streamId(id), e, null));
                    index++;
                }
                for (Object c : g.commands()) {
                    appends.add(new Append(-1, null, null, c));
                }
            }
            return new Then(appends, command, aggregateId);
        }
    }

    /** One step before the command: an event to append to a stream, or a command to send. */
    private record Append(int index, String streamId, Object event, Object command) {
    }

    /** The expectations; the scenario runs once, at the first of them. */
    public final class Then {
        private final List<Append> given;
        private final Object command;
        private final String aggregateId;
        private final Set<Class<?>> expectedTypes = new LinkedHashSet<>();
        private Outcome outcome;

        private Then(List<Append> given, Object command, String aggregateId) {
            this.given = given;
            this.command = command;
            this.aggregateId = aggregateId;
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
         * Checks the state, after the command, of the aggregate the command addressed, rebuilt from its
         * stream with {@link CommandGateway#load} (after a failed command: the state the given events made;
         * null when the command's target id was null or blank).
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
                outcome = execute(given, command, aggregateId, expectedTypes);
            }
            return outcome;
        }
    }

    private record Outcome(CommandResult result, Throwable failure, Object stateAfter) {
    }

    private Outcome execute(List<Append> given, Object command, String aggregateId, Set<Class<?>> expectedTypes) {
        Set<Class<?>> types = new LinkedHashSet<>(eventTypes);
        types.addAll(expectedTypes);
        for (Append a : given) {
            if (a.event() instanceof NewEvent n) {
                types.add(n.payload().getClass());
            } else if (a.event() != null && !(a.event() instanceof RawEvent)) {
                types.add(a.event().getClass());
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
            for (Append a : given) {
                if (a.command() != null) {
                    gateway.send(a.command());
                } else {
                    append(store, a);
                }
            }
            CommandResult result = null;
            Throwable failure = null;
            try {
                result = gateway.send(command);
            } catch (RuntimeException e) { // rule violations; checked ones arrive here too, unchanged
                failure = e;
            } catch (Exception e) {
                failure = e;
            }
            if (aggregateId == null) {
                return new Outcome(result, failure, null);
            }
            if (result != null && !result.streamId().equals(streamId(aggregateId))) {
                throw new IllegalStateException("the command " + describeCommand(command) + " went to stream '"
                        + result.streamId() + "', not to '" + streamId(aggregateId) + "' of an "
                        + aggregateType.getSimpleName() + ": an AggregateFixture<" + aggregateType.getSimpleName()
                        + "> tests commands on " + aggregateType.getSimpleName() + "s only");
            }
            Object state = gateway.load(aggregateType, aggregateId);
            return new Outcome(result, failure, state);
        }
    }

    private static void append(EventStore store, Append a) {
        if (!(a.event() instanceof RawEvent raw)) {
            store.append(a.streamId(), ExpectedVersion.any(), List.of(a.event()));
            return;
        }
        try {
            store.appendRaw(a.streamId(), ExpectedVersion.any(), List.of(raw));
        } catch (IllegalArgumentException e) {
            // the store says "no upcaster" only in its message; the missing step is the fixture's configuration,
            // so the message gains the fixture's way to register it
            if (e.getMessage() == null || !e.getMessage().contains("no upcaster")) {
                throw e;
            }
            throw new IllegalStateException("given event " + a.index() + ": " + e.getMessage()
                    + ": register the upcasters of " + raw.type() + " with the fixture's"
                    + " scanPackages(\"the.package.of.its.upcasters\") or withUpcaster(\"" + raw.type() + "\", "
                    + raw.schemaVersion() + ", upcaster), one per version step", e);
        }
    }

    private String streamId(String aggregateId) {
        return aggregateType.getAnnotation(Aggregate.class).streamPrefix() + aggregateId;
    }

    /** @return the command's one {@link TargetAggregateId} component */
    private static RecordComponent targetComponent(Object command) {
        List<RecordComponent> marked = command.getClass().isRecord() ? annotatedTarget(command.getClass()) : List.of();
        if (marked.size() != 1) {
            throw new IllegalArgumentException("command " + command.getClass().getName() + " is not a record with one"
                    + " @TargetAggregateId component: the fixture reads its aggregate id from it, as the gateway does");
        }
        return marked.get(0);
    }

    private static List<RecordComponent> annotatedTarget(Class<?> record) {
        List<RecordComponent> marked = new ArrayList<>();
        for (RecordComponent rc : record.getRecordComponents()) {
            if (rc.isAnnotationPresent(TargetAggregateId.class)) {
                marked.add(rc);
            }
        }
        return marked;
    }

    /**
     * @param event a given event
     * @param index its place among the given events, for the message
     * @param commandTarget the command's {@link TargetAggregateId} component
     * @return the id of the aggregate the event names (see the class comment)
     * @throws IllegalArgumentException when it names none
     */
    private String aggregateIdOf(Object event, int index, RecordComponent commandTarget) {
        String name = commandTarget.getName();
        String command = commandTarget.getDeclaringRecord().getSimpleName();
        String fix = ": name the aggregate in a component '" + name + "' (or one annotated @TargetAggregateId),"
                + " or give the event with givenFor(aggregateId, ...) / andGivenFor(aggregateId, ...)";
        Object id;
        String where;
        if (event instanceof RawEvent raw) {
            id = rawField(raw, name, index);
            where = "field '" + name + "'";
            if (id == null) {
                throw new IllegalArgumentException("given event " + index + " (" + raw.type() + " v"
                        + raw.schemaVersion() + " " + new String(raw.json(), StandardCharsets.UTF_8)
                        + ") names no aggregate: its JSON has no " + where + " (the @TargetAggregateId component of "
                        + command + ")" + fix);
            }
        } else {
            Object payload = event instanceof NewEvent n ? n.payload() : event;
            RecordComponent component = eventComponent(payload.getClass(), name);
            if (component == null) {
                throw new IllegalArgumentException("given event " + index + " (" + payload + ") names no aggregate: "
                        + payload.getClass().getSimpleName() + " has no component '" + name + "' (the"
                        + " @TargetAggregateId component of " + command + ") and none annotated @TargetAggregateId" + fix);
            }
            id = componentValue(component, payload);
            where = "component '" + component.getName() + "'";
        }
        if (id == null || id.toString().isBlank()) {
            throw new IllegalArgumentException("given event " + index + " (" + describeEvent(event) + ") names no"
                    + " aggregate: its " + where + " is " + (id == null ? "null" : "blank") + fix);
        }
        return id.toString();
    }

    /** @return the component annotated {@link TargetAggregateId}, else the one named {@code name}, else null */
    private static RecordComponent eventComponent(Class<?> eventClass, String name) {
        if (!eventClass.isRecord()) {
            return null;
        }
        List<RecordComponent> marked = annotatedTarget(eventClass);
        if (marked.size() == 1) {
            return marked.get(0);
        }
        if (marked.size() > 1) {
            throw new IllegalArgumentException("event " + eventClass.getName() + " has " + marked.size()
                    + " @TargetAggregateId components: at most one names its aggregate");
        }
        for (RecordComponent rc : eventClass.getRecordComponents()) {
            if (rc.getName().equals(name)) {
                return rc;
            }
        }
        return null;
    }

    /** @return the text of the JSON field {@code name} of a raw event, or null when it has none */
    private static String rawField(RawEvent raw, String name, int index) {
        JsonNode tree;
        try {
            tree = JSON.readTree(raw.json());
        } catch (IOException e) {
            throw new IllegalArgumentException("given event " + index + " (" + raw.type() + " v" + raw.schemaVersion()
                    + ") is not JSON: " + e.getMessage(), e);
        }
        JsonNode field = tree == null ? null : tree.get(name);
        return field == null || field.isNull() || field.isContainerNode() ? null : field.asText();
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

    /**
     * The event records named in the parameter and return types of a class's methods (and its
     * superclasses'), and of the methods of the aggregates its methods take (a service's handlers).
     */
    private static void collectFromMethods(Class<?> type, Set<Class<?>> into) {
        collectFromMethods(type, into, new HashSet<>());
    }

    private static void collectFromMethods(Class<?> type, Set<Class<?>> into, Set<Class<?>> visited) {
        if (!visited.add(type)) {
            return;
        }
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                collectEventTypes(m.getGenericReturnType(), into);
                for (Type p : m.getGenericParameterTypes()) {
                    collectEventTypes(p, into);
                }
                for (Class<?> p : m.getParameterTypes()) {
                    if (p.isAnnotationPresent(Aggregate.class)) {
                        collectFromMethods(p, into, visited);
                    }
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

    private static String describeEvent(Object event) {
        if (event instanceof RawEvent raw) {
            return raw.type() + " v" + raw.schemaVersion();
        }
        return String.valueOf(event instanceof NewEvent n ? n.payload() : event);
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
