package dev.rewind.dispatch;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.Rewind;
import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.dispatch.ShopEvents.Opened;
import dev.rewind.dispatch.ShopEvents.ShopEvent;
import dev.rewind.dispatch.ShopEvents.Sold;
import dev.rewind.dispatch.ShopEvents.Unregistered;
import java.lang.reflect.Method;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every bad handler or projection class stops start-up with a message naming the annotation, the member and the fix. */
class HandlerValidationTest {

    private static Rewind build(Class<?> projection) {
        return Rewind.builder().discoverPlugins(false).eventTypes(ShopEvents.ALL).projection(projection).build();
    }

    private static String method(Class<?> c, String name, Class<?>... params) throws NoSuchMethodException {
        Method m = c.getDeclaredMethod(name, params);
        return m.toGenericString();
    }

    @Projection("no_parameter")
    static class NoParameter {
        @EventHandler
        void on() {
        }

        @QueryState
        public int state() {
            return 0;
        }
    }

    @Test
    void a_handler_without_parameter_is_rejected() throws Exception {
        assertThatThrownBy(() -> build(NoParameter.class)).isInstanceOf(IllegalStateException.class)
                .hasMessage("@EventHandler method '" + method(NoParameter.class, "on")
                        + "' has no parameter: declare the event as its first parameter (an @Event record, or a supertype of several)");
    }

    @Projection("not_an_event")
    static class NotAnEvent {
        @EventHandler
        void on(String s) {
        }

        @QueryState
        public int state() {
            return 0;
        }
    }

    @Test
    void a_first_parameter_that_is_not_an_event_type_is_rejected() throws Exception {
        assertThatThrownBy(() -> build(NotAnEvent.class)).isInstanceOf(IllegalStateException.class)
                .hasMessage("@EventHandler method '" + method(NotAnEvent.class, "on", String.class)
                        + "': its first parameter type java.lang.String is not a registered event type: make the first"
                        + " parameter an @Event record (or a supertype of registered @Event records)");
    }

    @Projection("unregistered")
    static class UnregisteredEvent {
        @EventHandler
        void on(Unregistered e) {
        }

        @QueryState
        public int state() {
            return 0;
        }
    }

    @Test
    void an_event_record_that_is_not_registered_is_named_as_such() throws Exception {
        assertThatThrownBy(() -> build(UnregisteredEvent.class)).isInstanceOf(IllegalStateException.class)
                .hasMessage("@EventHandler method '" + method(UnregisteredEvent.class, "on", Unregistered.class)
                        + "': its first parameter type " + Unregistered.class.getName()
                        + " is an @Event record that is not registered: scan its package or register it");
    }

    /** A type no resolver knows. */
    record Foo(int x) {
    }

    @Projection("unresolvable")
    static class Unresolvable {
        @EventHandler
        void on(Sold e, Foo foo) {
        }

        @QueryState
        public int state() {
            return 0;
        }
    }

    @Test
    void an_unresolvable_parameter_is_rejected_like_axon_does() throws Exception {
        assertThatThrownBy(() -> build(Unresolvable.class)).isInstanceOf(IllegalStateException.class)
                .hasMessage("Unable to resolve parameter 1 (Foo) in @EventHandler method '"
                        + method(Unresolvable.class, "on", Sold.class, Foo.class)
                        + "': declare it as StoredEvent, Metadata, Instant or @StreamId String, or register a ParameterResolver for it");
    }

    @Projection("unannotated_string")
    static class StringWithoutStreamId {
        @EventHandler
        void on(Sold e, String stream) {
        }

        @QueryState
        public int state() {
            return 0;
        }
    }

    @Test
    void a_string_parameter_needs_stream_id() throws Exception {
        assertThatThrownBy(() -> build(StringWithoutStreamId.class)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Unable to resolve parameter 1 (String) in @EventHandler method '"
                        + method(StringWithoutStreamId.class, "on", Sold.class, String.class) + "'");
    }

    @Projection("twice")
    static class TwoHandlersForOneType {
        @EventHandler
        void a(Sold e) {
        }

        @EventHandler
        void b(Sold e) {
        }

        @QueryState
        public int state() {
            return 0;
        }
    }

    @Test
    void two_handlers_for_one_type_are_rejected() throws Exception {
        assertThatThrownBy(() -> build(TwoHandlersForOneType.class)).isInstanceOf(IllegalStateException.class)
                .hasMessage("@EventHandler methods '" + method(TwoHandlersForOneType.class, "a", Sold.class) + "' and '"
                        + method(TwoHandlersForOneType.class, "b", Sold.class) + "' both handle " + Sold.class.getName()
                        + ": keep one @EventHandler method per event type in " + TwoHandlersForOneType.class.getName());
    }

    @Projection("static")
    static class StaticHandler {
        @EventHandler
        static void on(Sold e) {
        }

        @QueryState
        public int state() {
            return 0;
        }
    }

    @Test
    void a_static_handler_is_rejected() throws Exception {
        assertThatThrownBy(() -> build(StaticHandler.class)).isInstanceOf(IllegalStateException.class)
                .hasMessage("@EventHandler method '" + method(StaticHandler.class, "on", Sold.class)
                        + "' is static: make it an instance method");
    }

    @Projection("abstract")
    abstract static class AbstractProjection {
        @EventHandler
        void on(Sold e) {
        }

        @QueryState
        public int state() {
            return 0;
        }
    }

    private static final String FIX = ": make it a concrete, static (top-level or nested static) class with a public or"
            + " package-private no-argument constructor";

    @Test
    void an_abstract_projection_class_is_rejected() {
        assertThatThrownBy(() -> build(AbstractProjection.class)).isInstanceOf(IllegalStateException.class)
                .hasMessage("@Projection class " + AbstractProjection.class.getName() + " is abstract" + FIX);
    }

    @Projection("private_constructor")
    static final class PrivateConstructor {
        private PrivateConstructor() {
        }

        @EventHandler
        void on(Sold e) {
        }

        @QueryState
        public int state() {
            return 0;
        }
    }

    @Test
    void a_projection_with_only_a_private_constructor_is_rejected() {
        assertThatThrownBy(() -> build(PrivateConstructor.class)).isInstanceOf(IllegalStateException.class)
                .hasMessage("@Projection class " + PrivateConstructor.class.getName()
                        + " has only a private no-argument constructor 'private " + PrivateConstructor.class.getName()
                        + "()'" + FIX);
    }

    @Projection("needs_argument")
    static class NeedsArgument {
        NeedsArgument(int x) {
        }

        @EventHandler
        void on(Sold e) {
        }

        @QueryState
        public int state() {
            return 0;
        }
    }

    @Test
    void a_projection_without_no_argument_constructor_is_rejected() {
        assertThatThrownBy(() -> build(NeedsArgument.class)).isInstanceOf(IllegalStateException.class)
                .hasMessage("@Projection class " + NeedsArgument.class.getName() + " has no no-argument constructor" + FIX);
    }

    @Projection("inner")
    class Inner {
        @EventHandler
        void on(Sold e) {
        }

        @QueryState
        public int state() {
            return 0;
        }
    }

    @Test
    void an_inner_projection_class_is_rejected() {
        assertThatThrownBy(() -> build(Inner.class)).isInstanceOf(IllegalStateException.class)
                .hasMessage("@Projection class " + Inner.class.getName()
                        + " is an inner class, which needs an enclosing instance" + FIX);
    }

    @Projection("no_query_state")
    static class NoQueryState {
        @EventHandler
        void on(Sold e) {
        }
    }

    @Test
    void a_projection_without_query_state_is_rejected() {
        assertThatThrownBy(() -> build(NoQueryState.class)).isInstanceOf(IllegalStateException.class)
                .hasMessage("@Projection class " + NoQueryState.class.getName()
                        + " has no @QueryState method: add one no-argument method annotated @QueryState that returns the state");
    }

    @Projection("two_query_states")
    static class TwoQueryStates {
        @EventHandler
        void on(Sold e) {
        }

        @QueryState
        public int a() {
            return 0;
        }

        @QueryState
        public int b() {
            return 0;
        }
    }

    @Test
    void a_projection_with_two_query_states_is_rejected() throws Exception {
        assertThatThrownBy(() -> build(TwoQueryStates.class)).isInstanceOf(IllegalStateException.class)
                .hasMessage("@Projection class " + TwoQueryStates.class.getName() + " has 2 @QueryState methods ('"
                        + method(TwoQueryStates.class, "a") + "' and '" + method(TwoQueryStates.class, "b")
                        + "'): keep exactly one");
    }

    @Projection("same_name")
    static class SameNameA {
        @EventHandler
        void on(Sold e) {
        }

        @QueryState
        public int state() {
            return 0;
        }
    }

    @Projection("same_name")
    static class SameNameB {
        @EventHandler
        void on(Opened e) {
        }

        @QueryState
        public int state() {
            return 0;
        }
    }

    @Test
    void two_projections_with_one_name_are_rejected() {
        assertThatThrownBy(() -> Rewind.builder().discoverPlugins(false).eventTypes(ShopEvents.ALL)
                .projection(SameNameA.class).projection(SameNameB.class).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("projection 'same_name' is registered twice: " + SameNameA.class.getName()
                        + " (from Rewind.builder()) and " + SameNameB.class.getName()
                        + " (from Rewind.builder()): keep one of them, or give each a unique name");
    }

    @Projection("ambiguous")
    static class Ambiguous {
        @EventHandler
        void a(ShopEvent e) {
        }

        @EventHandler
        void b(Record e) {
        }

        @QueryState
        public List<String> state() {
            return List.of();
        }
    }

    @Test
    void two_supertype_handlers_where_neither_is_more_specific_are_rejected() throws Exception {
        assertThatThrownBy(() -> build(Ambiguous.class)).isInstanceOf(IllegalStateException.class)
                .hasMessage("@EventHandler methods '" + method(Ambiguous.class, "a", ShopEvent.class) + "' and '"
                        + method(Ambiguous.class, "b", Record.class) + "' both match " + ShopEvents.Closed.class.getName()
                        + " and neither parameter type is more specific: add one @EventHandler method for Closed");
    }
}
