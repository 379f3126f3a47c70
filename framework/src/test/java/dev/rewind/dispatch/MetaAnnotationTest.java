package dev.rewind.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.ExpectedVersion;
import dev.rewind.Rewind;
import dev.rewind.annotation.Aggregate;
import dev.rewind.annotation.CommandHandler;
import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.EventSourcingHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.annotation.TargetAggregateId;
import dev.rewind.dispatch.ShopEvents.Closed;
import dev.rewind.dispatch.ShopEvents.Opened;
import dev.rewind.dispatch.ShopEvents.Sold;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The handler annotations count through meta-annotations at any depth, for projections, aggregates and
 * command handlers alike, and annotations that annotate each other do not make inspection loop.
 */
class MetaAnnotationTest {

    // three levels: @OnSale -> @ShopHandler -> @Handles -> @EventHandler

    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @EventHandler
    @interface Handles {
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Handles
    @interface ShopHandler {
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @ShopHandler
    @interface OnSale {
    }

    // a cycle that leads to @EventHandler: @Ping -> @Pong -> @Ping, and @Pong -> @EventHandler

    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Pong
    @interface Ping {
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Ping
    @EventHandler
    @interface Pong {
    }

    // a cycle that leads nowhere: @Left -> @Right -> @Left

    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Right
    @interface Left {
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Left
    @interface Right {
    }

    @Projection("meta")
    static class Seen {
        final List<String> seen = new ArrayList<>();

        @OnSale
        void on(Sold e) {
            seen.add("sold " + e.cents());
        }

        @Ping
        void on(Opened e) {
            seen.add("opened");
        }

        @Left
        void on(Closed e) {
            seen.add("closed: not a handler, @Left leads to no handler annotation");
        }

        @QueryState
        public List<String> state() {
            return List.copyOf(seen);
        }
    }

    @Test
    void a_projection_handler_annotated_three_levels_deep_or_through_a_cycle_is_found_and_a_dead_cycle_ends() {
        try (Rewind rewind = Rewind.builder().discoverPlugins(false).eventTypes(ShopEvents.ALL)
                .projection(Seen.class).build()) {
            rewind.store().append("shop-1", ExpectedVersion.any(),
                    List.of(new Opened("a"), new Sold("a", 5), new Closed("a")));

            List<String> seen = rewind.projections().state("meta");

            assertThat(seen).containsExactly("opened", "sold 5");
        }
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @EventSourcingHandler
    @interface Applies {
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @Applies
    @Left
    @interface AppliesShopEvent {
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @CommandHandler
    @interface Decides {
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @Decides
    @Right
    @interface DecidesShopCommand {
    }

    record Sell(@TargetAggregateId String shop, long cents) {
    }

    @Aggregate(streamPrefix = "shop-")
    static final class Shop {
        long sold;

        @DecidesShopCommand
        Sold handle(Sell command) {
            return new Sold(command.shop(), command.cents() + sold);
        }

        @AppliesShopEvent
        void on(Sold e) {
            sold += e.cents();
        }
    }

    @Test
    void event_sourcing_and_command_handlers_annotated_two_levels_deep_are_found() {
        try (Rewind rewind = Rewind.builder().discoverPlugins(false).eventTypes(ShopEvents.ALL)
                .aggregate(Shop.class).build()) {
            rewind.commands().send(new Sell("a", 5));
            rewind.commands().send(new Sell("a", 1));

            assertThat(rewind.commands().load(Shop.class, "a").sold).isEqualTo(11);
        }
    }
}
