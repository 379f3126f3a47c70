package dev.rewind.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.ExpectedVersion;
import dev.rewind.Rewind;
import dev.rewind.annotation.Event;
import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proof that a jar extends an application with no code naming it: the test compiles a plugin (a
 * {@code @Projection} and a {@code RewindPlugin} with its services entry) into a jar that exists only in a
 * temporary directory, then starts the same application with and without that jar on the class path.
 */
class PluginJarTest {
    private static final Map<String, String> PLUGIN_SOURCES = Map.of(
            "acme/audit/AuditTrail.java", """
                    package acme.audit;

                    import dev.rewind.StoredEvent;
                    import dev.rewind.annotation.EventHandler;
                    import dev.rewind.annotation.Projection;
                    import dev.rewind.annotation.QueryState;
                    import java.util.ArrayList;
                    import java.util.List;

                    @Projection("audit_trail")
                    public class AuditTrail {
                        private final List<String> lines = new ArrayList<>();

                        @EventHandler
                        void on(Record event, StoredEvent<?> envelope) {
                            lines.add(envelope.type() + "@" + envelope.streamId());
                        }

                        @QueryState
                        public List<String> state() {
                            return List.copyOf(lines);
                        }
                    }
                    """,
            "acme/audit/AuditPlugin.java", """
                    package acme.audit;

                    import dev.rewind.spi.Registrar;
                    import dev.rewind.spi.RewindPlugin;

                    public class AuditPlugin implements RewindPlugin {
                        @Override
                        public void register(Registrar registrar) {
                            registrar.projection(AuditTrail.class);
                        }
                    }
                    """);

    @TempDir
    static Path dir;
    static Path jar;

    /** The application's own event. */
    @Event(name = "Signed")
    record Signed(String who) {
    }

    /** The application's own projection. */
    @Projection("signatures")
    static class Signatures {
        private final List<String> who = new ArrayList<>();

        @EventHandler
        void on(Signed e) {
            who.add(e.who());
        }

        @QueryState
        public List<String> state() {
            return List.copyOf(who);
        }
    }

    @BeforeAll
    static void buildPluginJar() throws IOException {
        Path src = dir.resolve("src");
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes);
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                "--release", "17", "-parameters", "-proc:none"));
        for (Map.Entry<String, String> s : PLUGIN_SOURCES.entrySet()) {
            Path file = src.resolve(s.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, s.getValue());
            args.add(file.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac.run(null, null, null, args.toArray(new String[0]))).as("javac exit code").isZero();
        Path services = classes.resolve("META-INF/services/dev.rewind.spi.RewindPlugin");
        Files.createDirectories(services.getParent());
        Files.writeString(services, "acme.audit.AuditPlugin\n");
        jar = dir.resolve("acme-audit-plugin.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
    }

    /** The application: it names its own event and projection, and nothing of the plugin. */
    private static Map<String, Object> runApplication(ClassLoader loader) {
        try (Rewind rewind = Rewind.builder().classLoader(loader).eventTypes(Signed.class).projection(Signatures.class).build()) {
            rewind.store().append("doc-1", ExpectedVersion.noStream(), List.of(new Signed("ann"), new Signed("bob")));
            Map<String, Object> states = new java.util.TreeMap<>();
            for (String name : rewind.projections().names()) {
                states.put(name, rewind.projections().state(name));
            }
            return states;
        }
    }

    @Test
    void with_the_plugin_jar_on_the_class_path_its_projection_is_live() throws IOException {
        try (URLClassLoader withJar = new URLClassLoader(new URL[] {jar.toUri().toURL()}, PluginJarTest.class.getClassLoader())) {
            assertThat(runApplication(withJar)).isEqualTo(Map.of(
                    "signatures", List.of("ann", "bob"),
                    "audit_trail", List.of("Signed@doc-1", "Signed@doc-1")));
        }
    }

    @Test
    void without_the_jar_the_application_runs_unchanged() {
        assertThat(runApplication(PluginJarTest.class.getClassLoader()))
                .isEqualTo(Map.of("signatures", List.of("ann", "bob")));
    }
}
