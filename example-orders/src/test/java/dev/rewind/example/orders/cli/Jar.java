package dev.rewind.example.orders.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real jar, {@code target/rewind-orders.jar}, in a child JVM as a user does
 * ({@code java -jar rewind-orders.jar ARGS} in a working directory). The jar's path comes from the
 * {@code rewind.orders.jar} system property, which failsafe sets for the {@code *IT} tests after
 * {@code package} has built the jar.
 */
final class Jar {
    private static final long TIMEOUT_SECONDS = 120;

    private Jar() {
    }

    /** @return the jar under test */
    static Path path() {
        String jar = System.getProperty("rewind.orders.jar");
        assertThat(jar).as("the system property rewind.orders.jar (set by failsafe: run mvn verify)").isNotNull();
        assertThat(Path.of(jar)).as("the jar built by package").isRegularFile();
        return Path.of(jar);
    }

    /**
     * Runs the jar and waits for it to end.
     *
     * @param workDir the child's working directory
     * @param outputs where stdout and stderr are captured (not {@code workDir}, whose content tests compare)
     * @param args the command line after {@code java -jar rewind-orders.jar}
     * @return what it printed and its exit code
     */
    static Cli.Run run(Path workDir, Path outputs, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", path().toString()));
        command.addAll(List.of(args));
        try {
            Files.createDirectories(outputs);
            Path out = Files.createTempFile(outputs, "out", ".txt");
            Path err = Files.createTempFile(outputs, "err", ".txt");
            Process p = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(command + " did not end within " + TIMEOUT_SECONDS + " s; stderr so far: "
                        + Files.readString(err));
            }
            Cli.Run run = new Cli.Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            return run;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + command, e);
        }
    }
}
