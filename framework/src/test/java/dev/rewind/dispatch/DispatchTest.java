package dev.rewind.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.NewEvent;
import dev.rewind.Rewind;
import dev.rewind.StoredEvent;
import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.annotation.StreamId;
import dev.rewind.dispatch.ShopEvents.Audited;
import dev.rewind.dispatch.ShopEvents.Closed;
import dev.rewind.dispatch.ShopEvents.Opened;
import dev.rewind.dispatch.ShopEvents.ShopEvent;
import dev.rewind.dispatch.ShopEvents.Sold;
import dev.rewind.internal.dispatch.EventIndex;
import dev.rewind.internal.dispatch.HandlerInspector;
import dev.rewind.internal.dispatch.Handlers;
import dev.rewind.internal.dispatch.Invoker;
import dev.rewind.internal.dispatch.ParameterResolvers;
import dev.rewind.spi.ParameterResolver;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Parameter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Handlers receive the right events with the arguments the resolvers give them. */
class DispatchTest {
    private static final Instant T0 = Instant.parse("2024-05-01T15:00:00Z");

    private static Rewind.Builder builder() {
        return Rewind.builder().eventTypes(ShopEvents.ALL).clock(Clock.fixed(T0, ZoneOffset.UTC));
    }

    /** A composed annotation: {@code @EventHandler} used as a meta-annotation. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @EventHandler
    @interface OnShopEvent {
    }

    @Projection("log")
    static class Log {
        private final List<String> lines = new ArrayList<>();

        @EventHandler
        void on(ShopEvent e, @StreamId String stream, long position) {
            lines.add(stream + "#" + position + " " + e.getClass().getSimpleName());
        }

        @OnShopEvent
        void on(Sold e, StoredEvent<?> envelope, Metadata metadata, Instant recordedAt) {
            lines.add(envelope.streamId() + "#" + envelope.globalPosition() + " sold " + e.cents() + " by "
                    + metadata.values().get("user") + " at " + recordedAt);
        }

        @QueryState
        public List<String> state() {
            return List.copyOf(lines);
        }
    }

    /** Resolves {@code long} parameters to the global position; registered through the builder. */
    static final class PositionResolver implements ParameterResolver {
        @Override
        public Function<StoredEvent<?>, Object> resolve(Parameter parameter) {
            return parameter.getType() == long.class ? StoredEvent::globalPosition : null;
        }
    }

    @Test
    void a_supertype_handler_gets_every_subtype_and_the_most_specific_handler_wins() {
        try (Rewind rewind = builder().projection(Log.class).parameterResolver(new PositionResolver()).build()) {
            rewind.store().append("shop-1", ExpectedVersion.noStream(), List.of(new Opened("a"),
                    NewEvent.of(new Sold("a", 250), Metadata.EMPTY.with("user", "ann")), new Audited("x"), new Closed("a")));

            assertThat(rewind.projections().<List<String>>state("log")).containsExactly(
                    "shop-1#0 Opened",
                    "shop-1#1 sold 250 by ann at 2024-05-01T15:00:00Z",
                    "shop-1#3 Closed");
        }
    }

    /** Resolves {@code Tenant} parameters from metadata; listed in META-INF/services of the test class path. */
    record Tenant(String name) {
    }

    @Projection("tenants")
    static class Tenants {
        private final List<String> seen = new ArrayList<>();

        @EventHandler
        void on(Opened e, Tenant tenant) {
            seen.add(tenant.name());
        }

        @QueryState
        public List<String> state() {
            return List.copyOf(seen);
        }
    }

    @Test
    void a_resolver_from_meta_inf_services_is_used() {
        try (Rewind rewind = builder().projection(Tenants.class).build()) {
            rewind.store().append("shop-1", ExpectedVersion.any(),
                    List.of(NewEvent.of(new Opened("a"), Metadata.EMPTY.with("tenant", "acme"))));

            assertThat(rewind.projections().<List<String>>state("tenants")).containsExactly("acme");
        }
    }

    @Projection("stream_of")
    static class StreamOf {
        private final List<String> seen = new ArrayList<>();

        @EventHandler
        void on(Opened e, @StreamId String stream) {
            seen.add(stream);
        }

        @QueryState
        public List<String> state() {
            return List.copyOf(seen);
        }
    }

    @Test
    void a_resolver_with_higher_priority_is_asked_before_the_built_ins() {
        ParameterResolver shouting = new ParameterResolver() {
            @Override
            public Function<StoredEvent<?>, Object> resolve(Parameter parameter) {
                return parameter.getType() == String.class ? e -> e.streamId().toUpperCase() : null;
            }

            @Override
            public int priority() {
                return 10;
            }
        };
        try (Rewind rewind = builder().projection(StreamOf.class).parameterResolver(shouting).build()) {
            rewind.store().append("shop-1", ExpectedVersion.any(), List.of(new Opened("a")));

            assertThat(rewind.projections().<List<String>>state("stream_of")).containsExactly("SHOP-1");
        }
    }

    @Test
    void a_resolver_with_the_built_in_priority_comes_after_them() {
        ParameterResolver sameRank = parameter -> parameter.getType() == String.class ? e -> "other" : null;
        try (Rewind rewind = builder().projection(StreamOf.class).parameterResolver(sameRank).build()) {
            rewind.store().append("shop-1", ExpectedVersion.any(), List.of(new Opened("a")));

            assertThat(rewind.projections().<List<String>>state("stream_of")).containsExactly("shop-1");
        }
    }

    /** Handles only {@link Sold}: every other event is skipped. */
    @Projection("revenue")
    public static class Revenue {
        private long cents;

        @EventHandler
        public void on(Sold e) {
            cents += e.cents();
        }

        @QueryState
        public long state() {
            return cents;
        }
    }

    @Test
    void a_class_is_inspected_once_and_unhandled_types_have_no_invoker() {
        EventIndex index = new EventIndex(List.of(ShopEvents.ALL));
        HandlerInspector inspector = new HandlerInspector(index.classes(), new ParameterResolvers(List.of()));

        Handlers first = inspector.inspect(Revenue.class, EventHandler.class);

        assertThat(inspector.inspect(Revenue.class, EventHandler.class)).isSameAs(first);
        assertThat(first.byEventClass()).containsOnlyKeys(Sold.class);
        Invoker[] table = first.table(index);
        assertThat(table[index.of(Sold.class)]).isNotNull();
        assertThat(table[index.of(Sold.class)].isGenerated()).as("a one-parameter handler gets a generated class").isTrue();
        assertThat(table[index.of(Opened.class)]).isNull();
        assertThat(index.of(String.class)).isEqualTo(-1);
    }

    /** A private one-parameter handler and a package-private two-parameter one. */
    static class Mixed {
        long sold;
        String openedIn;

        @EventHandler
        private void on(Sold e) {
            sold += e.cents();
        }

        @EventHandler
        void on(Opened e, StoredEvent<?> stored) {
            openedIn = stored.streamId();
        }
    }

    @Test
    void private_and_multi_parameter_handlers_are_both_called_one_through_a_generated_class() throws Throwable {
        EventIndex index = new EventIndex(List.of(ShopEvents.ALL));
        Invoker[] table = new HandlerInspector(index.classes(), new ParameterResolvers(List.of()))
                .inspect(Mixed.class, EventHandler.class).table(index);
        Mixed target = new Mixed();
        Invoker sold = table[index.of(Sold.class)];
        Invoker opened = table[index.of(Opened.class)];
        sold.invoke(target, new StoredEvent<>(UUID.randomUUID(), "shop-9", 1, 1, "Sold", 1, Instant.EPOCH,
                new Sold("a", 5), Metadata.EMPTY));
        opened.invoke(target, new StoredEvent<>(UUID.randomUUID(), "shop-9", 0, 0, "Opened", 1, Instant.EPOCH,
                new Opened("a"), Metadata.EMPTY));
        assertThat(sold.isGenerated()).isTrue();
        assertThat(opened.isGenerated()).isFalse();
        assertThat(target.sold).isEqualTo(5);
        assertThat(target.openedIn).isEqualTo("shop-9");
    }

    @Test
    void events_without_handler_are_skipped_and_the_position_still_advances() {
        try (Rewind rewind = builder().projection(Revenue.class).build()) {
            rewind.store().append("shop-1", ExpectedVersion.any(),
                    List.of(new Opened("a"), new Sold("a", 5), new Audited("y"), new Sold("a", 7), new Closed("a")));

            assertThat(rewind.projections().<Long>state("revenue")).isEqualTo(12L);
            assertThat(rewind.projections().status("revenue").lastPosition()).isEqualTo(4);
        }
    }
}
