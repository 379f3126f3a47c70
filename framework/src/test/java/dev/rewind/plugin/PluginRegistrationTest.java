package dev.rewind.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.rewind.LogCapture;
import dev.rewind.Rewind;
import dev.rewind.internal.plugin.PluginLoader;
import dev.rewind.plugin.Lamps.Electrician;
import dev.rewind.plugin.Lamps.InstallLamp;
import dev.rewind.plugin.Lamps.Lamp;
import dev.rewind.plugin.Lamps.LampInstalled;
import dev.rewind.plugin.Lamps.LampPlugin;
import dev.rewind.plugin.Lamps.LampSwitched;
import dev.rewind.plugin.Lamps.OtherLampPlugin;
import dev.rewind.plugin.Lamps.SwitchLamp;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugins given to {@code Rewind.builder().plugin(...)}, and plugins that extend the command side
 * ({@code Registrar.aggregate}, {@code Registrar.commandHandlers}), given or discovered.
 */
class PluginRegistrationTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final LogCapture logs = new LogCapture(PluginLoader.class, Level.INFO);

    /** A class loader that sees the test class path plus one services file listing the given plugins. */
    private ClassLoader withPlugins(Class<?>... plugins) throws IOException {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        StringBuilder lines = new StringBuilder();
        for (Class<?> p : plugins) {
            lines.append(p.getName()).append('\n');
        }
        Files.writeString(services.resolve("dev.rewind.spi.RewindPlugin"), lines);
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
    }

    /** Installs and switches lamp 7, and returns the switch event. */
    private static LampSwitched installAndSwitch(Rewind rewind) {
        assertThat(rewind.commands().send(new InstallLamp("7")).payloads()).containsExactly(new LampInstalled("7"));
        Object switched = rewind.commands().send(new SwitchLamp("7", true)).payloads().get(0);
        assertThat(rewind.store().readStream("lamp-7", 0)).hasSize(2);
        return (LampSwitched) switched;
    }

    @Test
    void a_plugin_given_to_the_builder_adds_an_aggregate_and_a_service_that_handle_commands() {
        try (Rewind rewind = Rewind.builder().discoverPlugins(false).plugin(new LampPlugin("given")).build()) {
            assertThat(installAndSwitch(rewind)).isEqualTo(new LampSwitched("7", true, "given"));
            assertThatThrownBy(() -> rewind.commands().send(new InstallLamp("7")))
                    .hasMessage("lamp 7 is already installed");
        }
    }

    @Test
    void a_discovered_plugin_adds_an_aggregate_and_a_service_too() throws IOException {
        try (Rewind rewind = Rewind.builder().classLoader(withPlugins(LampPlugin.class)).build()) {
            assertThat(installAndSwitch(rewind)).isEqualTo(new LampSwitched("7", true, "discovered"));
        }
        assertThat(logs.messages()).contains("RewindPlugin lamps registered 2 event type(s), 0 projection(s),"
                + " 0 upcaster(s), 1 aggregate(s), 1 command handler service(s), 0 package(s) to scan");
    }

    @Test
    void a_plugin_both_given_and_discovered_registers_once_with_the_given_instance() throws IOException {
        try (Rewind rewind = Rewind.builder().classLoader(withPlugins(LampPlugin.class))
                .plugin(new LampPlugin("given")).build()) {
            assertThat(installAndSwitch(rewind)).isEqualTo(new LampSwitched("7", true, "given"));
        }
        assertThat(logs.messages()).contains("RewindPlugin lamps (" + LampPlugin.class.getName() + ") is listed in"
                + " META-INF/services and given to Rewind.builder().plugin(...): the builder's instance is used");
    }

    @Test
    void one_builder_builds_twice_with_a_plugin_that_adds_a_service() {
        Rewind.Builder builder = Rewind.builder().discoverPlugins(false).plugin(new LampPlugin("given"))
                .commandAttempts(2);
        for (int i = 0; i < 2; i++) {
            try (Rewind rewind = builder.storage("memory:").build()) {
                assertThat(installAndSwitch(rewind).by()).isEqualTo("given");
            }
        }
    }

    @Test
    void an_aggregate_registered_by_the_application_and_a_plugin_is_kept_once() {
        try (Rewind rewind = Rewind.builder().discoverPlugins(false).aggregate(Lamp.class)
                .plugin(new LampPlugin("given")).build()) {
            assertThat(installAndSwitch(rewind).by()).isEqualTo("given");
        }
    }

    @Test
    void an_aggregate_registered_by_two_plugins_stops_start_up_naming_both() throws IOException {
        assertThatThrownBy(() -> Rewind.builder().plugin(new LampPlugin("given"))
                .classLoader(withPlugins(OtherLampPlugin.class)).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("aggregate '" + Lamp.class.getName() + "' is registered twice: " + Lamp.class.getName()
                        + " (from plugin lamps) and " + Lamp.class.getName() + " (from plugin other-lamps):"
                        + " keep one of them");
    }

    @Test
    void two_services_of_one_class_stop_start_up_naming_where_each_came_from() {
        assertThatThrownBy(() -> Rewind.builder().discoverPlugins(false).commandHandlers(new Electrician("own"))
                .plugin(new LampPlugin("given")).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("command handler service '" + Electrician.class.getName() + "' is registered twice: "
                        + Electrician.class.getName() + " (from Rewind.builder()) and " + Electrician.class.getName()
                        + " (from plugin lamps): keep one of them");
    }

    @Test
    void a_given_plugin_follows_the_conflict_rules_of_discovered_ones() throws IOException {
        assertThatThrownBy(() -> Rewind.builder().plugin(new Plugins.Clashing())
                .classLoader(withPlugins(Plugins.Full.class)).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("projection 'pings' is registered twice: " + Plugins.OtherPings.class.getName()
                        + " (from plugin clashing) and " + Plugins.Pings.class.getName() + " (from plugin full):"
                        + " keep one of them, or give each a unique name");
    }

    @Test
    void a_given_plugin_that_fails_to_register_stops_start_up_naming_it() {
        assertThatThrownBy(() -> Rewind.builder().discoverPlugins(false).plugin(new Plugins.BrokenRegister()).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("RewindPlugin broken-register (" + Plugins.BrokenRegister.class.getName() + "), given to"
                        + " Rewind.builder().plugin(...), failed in register(Registrar):"
                        + " java.lang.IllegalStateException: half done");
    }
}
