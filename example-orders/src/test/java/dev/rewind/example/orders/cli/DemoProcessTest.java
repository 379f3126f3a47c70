package dev.rewind.example.orders.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.example.orders.Main;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real entry point in a child JVM, as the README runs it: no arguments, the default ./demo-data in
 * the working directory, logging kept off stdout, exit code 0, and the same document on a second run.
 */
class DemoProcessTest {
    @TempDir
    Path workDir;

    private String runMain() throws Exception {
        Path out = workDir.resolve("out.json");
        Path err = workDir.resolve("err.txt");
        Process p = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()))
                .directory(workDir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the demo ends").isTrue();
        assertThat(p.exitValue()).as("exit code; stderr: %s", Files.readString(err)).isZero();
        assertThat(Files.readString(err)).isEmpty();
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    @Test
    void runs_with_no_arguments_into_demo_data_and_prints_the_same_json_twice() throws Exception {
        String first = runMain();
        String second = runMain();

        assertThat(Json.MAPPER.readTree(first)).isEqualTo(Json.MAPPER.readTree(DemoTest.EXPECTED));
        assertThat(second).isEqualTo(first);
        assertThat(new File(workDir.toFile(), "demo-data/rewind.lock")).exists();
    }
}
