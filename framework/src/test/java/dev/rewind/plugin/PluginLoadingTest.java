package dev.rewind.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.ExpectedVersion;
import dev.rewind.LogCapture;
import dev.rewind.Metadata;
import dev.rewind.RawEvent;
import dev.rewind.Rewind;
import dev.rewind.internal.plugin.PluginLoader;
import dev.rewind.plugin.Plugins.Pinged;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Plugins found by ServiceLoader: every registrar method, failures skipped and logged, conflicts named. */
class PluginLoadingTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final LogCapture logs = new LogCapture(PluginLoader.class);

    /** A class loader that sees the test class path plus one services file listing the given plugins. */
    private ClassLoader withPlugins(String... classNames) throws IOException {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.writeString(services.resolve("dev.rewind.spi.RewindPlugin"), String.join("\n", classNames) + "\n");
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
    }

    private static String name(Class<?> c) {
        return c.getName();
    }

    private static RawEvent raw(String type, int version, String json) {
        return new RawEvent(UUID.randomUUID(), type, version, json.getBytes(StandardCharsets.UTF_8), Metadata.EMPTY);
    }

    @Test
    void every_registrar_method_works_from_a_plugin() throws IOException {
        try (Rewind rewind = Rewind.builder().classLoader(withPlugins(name(Plugins.Full.class))).build()) {
            rewind.store().append("s-1", ExpectedVersion.noStream(), List.of(new Pinged("a")));
            rewind.store().appendRaw("s-1", ExpectedVersion.exactly(0), List.of(raw("Pinged", 1, "{\"to\":\"b\"}"),
                    raw("Poked", 2, "{\"target\":\"c\"}")));

            assertThat(rewind.projections().names()).containsExactlyInAnyOrder("pings", "pongs");
            assertThat(rewind.projections().<List<String>>state("pings")).containsExactly("a@S-1", "b@S-1", "c@S-1");
            assertThat(rewind.projections().<Integer>state("pongs")).isEqualTo(3);
        }
    }

    @Test
    void a_plugin_that_fails_to_load_or_register_is_logged_with_its_name_and_skipped() throws IOException {
        ClassLoader loader = withPlugins(name(Plugins.BrokenConstructor.class), "com.example.Missing",
                name(Plugins.BrokenRegister.class), name(Plugins.Full.class));
        try (Rewind rewind = Rewind.builder().classLoader(loader).build()) {
            assertThat(rewind.projections().names()).containsExactlyInAnyOrder("pings", "pongs");
        }
        List<String> messages = logs.messages();
        assertThat(messages).anySatisfy(m -> assertThat(m).startsWith("a RewindPlugin failed to load and is skipped: ")
                .contains(name(Plugins.BrokenConstructor.class)));
        assertThat(messages).anySatisfy(m -> assertThat(m).startsWith("a RewindPlugin failed to load and is skipped: ")
                .contains("com.example.Missing"));
        assertThat(messages).contains("RewindPlugin broken-register (" + name(Plugins.BrokenRegister.class)
                + ") failed in register(Registrar) and is skipped: java.lang.IllegalStateException: half done");
    }

    @Test
    void two_plugins_registering_one_projection_name_stop_start_up_naming_both() throws IOException {
        ClassLoader loader = withPlugins(name(Plugins.Full.class), name(Plugins.Clashing.class));
        assertThatThrownBy(() -> Rewind.builder().classLoader(loader).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("projection 'pings' is registered twice: " + name(Plugins.Pings.class) + " (from plugin full) and "
                        + name(Plugins.OtherPings.class) + " (from plugin clashing): keep one of them, or give each a unique name");
    }

    @Test
    void two_plugins_registering_one_event_type_stop_start_up_naming_both() throws IOException {
        ClassLoader loader = withPlugins(name(Plugins.Full.class), name(Plugins.SameEvent.class));
        assertThatThrownBy(() -> Rewind.builder().classLoader(loader).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("event type 'Pinged' is registered twice: " + name(Pinged.class) + " (from plugin full) and "
                        + name(Pinged.class) + " (from plugin same-event): keep one of them, or give each a unique name");
    }

    @Test
    void plugin_discovery_can_be_turned_off() throws IOException {
        try (Rewind rewind = Rewind.builder().classLoader(withPlugins(name(Plugins.Full.class))).discoverPlugins(false).build()) {
            assertThat(rewind.projections().names()).isEmpty();
        }
    }
}
