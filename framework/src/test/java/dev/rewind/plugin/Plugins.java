package dev.rewind.plugin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rewind.StoredEvent;
import dev.rewind.annotation.Event;
import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.spi.ParameterResolver;
import dev.rewind.spi.Registrar;
import dev.rewind.spi.RewindPlugin;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Plugins listed, per test, in a services file on a class loader of their own (never on the shared test class path). */
final class Plugins {
    private Plugins() {
    }

    /** v2: v1 called the field {@code to}. */
    @Event(name = "Pinged", version = 2)
    record Pinged(String target) {
    }

    /** A parameter type only the plugin's resolver knows. */
    record Shout(String text) {
    }

    /** Lists pings, shouting the stream id. */
    @Projection("pings")
    static class Pings {
        private final List<String> seen = new ArrayList<>();

        @EventHandler
        void on(Pinged e, Shout stream) {
            seen.add(e.target() + "@" + stream.text());
        }

        @QueryState
        public List<String> state() {
            return List.copyOf(seen);
        }
    }

    /** Uses every registrar method. */
    public static final class Full implements RewindPlugin {
        @Override
        public void register(Registrar r) {
            ParameterResolver shout = (Parameter p) -> p.getType() == Shout.class
                    ? (Function<StoredEvent<?>, Object>) e -> new Shout(e.streamId().toUpperCase()) : null;
            r.eventType(Pinged.class)
                    .projection(Pings.class)
                    .parameterResolver(shout)
                    .upcaster("Pinged", 1, (ObjectNode json) -> json.set("target", json.remove("to")))
                    .rename("Poked", "Pinged")
                    .scanPackages("dev.rewind.plugin.scanned");
        }

        @Override
        public String name() {
            return "full";
        }
    }

    /** Cannot even be created. */
    public static final class BrokenConstructor implements RewindPlugin {
        /** Always throws. */
        public BrokenConstructor() {
            throw new IllegalStateException("no config");
        }

        @Override
        public void register(Registrar r) {
        }
    }

    /** Registers a projection, then throws: nothing it registered is kept. */
    public static final class BrokenRegister implements RewindPlugin {
        @Override
        public void register(Registrar r) {
            r.eventType(Pinged.class).projection(Pings.class);
            throw new IllegalStateException("half done");
        }

        @Override
        public String name() {
            return "broken-register";
        }
    }

    /** Another projection named "pings". */
    @Projection("pings")
    static class OtherPings {
        @EventHandler
        void on(Pinged e) {
        }

        @QueryState
        public int state() {
            return 0;
        }
    }

    /** Registers another class under the projection name "pings". */
    public static final class Clashing implements RewindPlugin {
        @Override
        public void register(Registrar r) {
            r.projection(OtherPings.class);
        }

        @Override
        public String name() {
            return "clashing";
        }
    }

    /** Registers the same event type as {@link Full}. */
    public static final class SameEvent implements RewindPlugin {
        @Override
        public void register(Registrar r) {
            r.eventType(Pinged.class);
        }

        @Override
        public String name() {
            return "same-event";
        }
    }
}
