package dev.rewind.plugin;

import dev.rewind.annotation.Aggregate;
import dev.rewind.annotation.CommandHandler;
import dev.rewind.annotation.Event;
import dev.rewind.annotation.EventSourcingHandler;
import dev.rewind.annotation.TargetAggregateId;
import dev.rewind.spi.Registrar;
import dev.rewind.spi.RewindPlugin;

/** A command side shipped by plugins: an aggregate, a service with a dependency of its own, and the plugins. */
final class Lamps {
    private Lamps() {
    }

    /** A lamp was put up. */
    @Event(name = "LampInstalled", version = 1)
    record LampInstalled(String lampId) {
    }

    /** A lamp was switched, by whom. */
    @Event(name = "LampSwitched", version = 1)
    record LampSwitched(String lampId, boolean on, String by) {
    }

    /** Handled by the aggregate. */
    record InstallLamp(@TargetAggregateId String lampId) {
    }

    /** Handled by the service, which receives the loaded lamp. */
    record SwitchLamp(@TargetAggregateId String lampId, boolean on) {
    }

    /** The aggregate: a lamp is installed once and switched only once installed. */
    @Aggregate(streamPrefix = "lamp-")
    static final class Lamp {
        private boolean installed;

        private Lamp() {
        }

        @CommandHandler
        LampInstalled handle(InstallLamp command) {
            if (installed) {
                throw new IllegalStateException("lamp " + command.lampId() + " is already installed");
            }
            return new LampInstalled(command.lampId());
        }

        @EventSourcingHandler
        void on(LampInstalled event) {
            installed = true;
        }

        boolean installed() {
            return installed;
        }
    }

    /** A service: it has a dependency of its own (its name), so only its creator can register it. */
    static final class Electrician {
        private final String name;

        Electrician(String name) {
            this.name = name;
        }

        @CommandHandler
        LampSwitched handle(SwitchLamp command, Lamp lamp) {
            if (!lamp.installed()) {
                throw new IllegalStateException("lamp " + command.lampId() + " is not installed");
            }
            return new LampSwitched(command.lampId(), command.on(), name);
        }
    }

    /** Registers the whole command side; the electrician's name comes from its constructor. */
    public static final class LampPlugin implements RewindPlugin {
        private final String electrician;

        /** The one {@link java.util.ServiceLoader} creates: the electrician is called "discovered". */
        public LampPlugin() {
            this("discovered");
        }

        LampPlugin(String electrician) {
            this.electrician = electrician;
        }

        @Override
        public void register(Registrar r) {
            r.eventType(LampInstalled.class)
                    .eventType(LampSwitched.class)
                    .aggregate(Lamp.class)
                    .commandHandlers(new Electrician(electrician));
        }

        @Override
        public String name() {
            return "lamps";
        }
    }

    /** Registers the same aggregate as {@link LampPlugin}. */
    public static final class OtherLampPlugin implements RewindPlugin {
        @Override
        public void register(Registrar r) {
            r.aggregate(Lamp.class);
        }

        @Override
        public String name() {
            return "other-lamps";
        }
    }
}
