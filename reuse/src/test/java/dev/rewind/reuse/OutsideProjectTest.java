package dev.rewind.reuse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.Rewind;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reuse in another project: builds and tests {@code src/test/resources/outside-project} (its own pom, which
 * depends only on {@code dev.rewind:rewind-framework}) with a child Maven process.
 *
 * <p>How the child finds the framework without {@code mvn install}: this test puts the framework jar this
 * build just made (or, under {@code mvn test}, a jar of its classes) and the framework and parent poms into a
 * temporary local repository, laid out as Maven would install them. Every other artifact (Jackson, ClassGraph,
 * JUnit, the compiler and surefire plugins) comes from a mirror pointing at this build's own local repository
 * as a {@code file:} URL, so the child needs no network and never writes to the real local repository.
 */
class OutsideProjectTest {
    @TempDir
    Path tmp;

    @Test
    void an_outside_project_depending_only_on_the_framework_builds_and_passes_its_test() throws Exception {
        String version = System.getProperty("rewind.version");
        Path repo = tmp.resolve("repo");
        Path frameworkDir = repo.resolve("dev/rewind/rewind-framework/" + version);
        Path parentDir = repo.resolve("dev/rewind/rewind-parent/" + version);
        Files.createDirectories(frameworkDir);
        Files.createDirectories(parentDir);
        Files.copy(frameworkJar(), frameworkDir.resolve("rewind-framework-" + version + ".jar"));
        Files.copy(Path.of(System.getProperty("rewind.framework.pom")), frameworkDir.resolve("rewind-framework-" + version + ".pom"));
        Files.copy(Path.of(System.getProperty("rewind.parent.pom")), parentDir.resolve("rewind-parent-" + version + ".pom"));

        Path project = tmp.resolve("guestbook");
        copyTree(Paths.get(getClass().getResource("/outside-project").toURI()), project);
        Path pom = project.resolve("pom.xml");
        Files.writeString(pom, Files.readString(pom)
                .replace("@rewind.version@", version)
                .replace("@junit.version@", System.getProperty("rewind.junit.version"))
                .replace("@resources.version@", System.getProperty("rewind.resources.version"))
                .replace("@compiler.version@", System.getProperty("rewind.compiler.version"))
                .replace("@surefire.version@", System.getProperty("rewind.surefire.version")));
        Path settings = tmp.resolve("settings.xml");
        Files.writeString(settings, """
                <settings>
                  <localRepository>%s</localRepository>
                  <mirrors>
                    <mirror><id>this-build</id><mirrorOf>*</mirrorOf><url>%s</url></mirror>
                  </mirrors>
                </settings>
                """.formatted(repo, Path.of(System.getProperty("rewind.local.repository")).toUri()));

        Path log = tmp.resolve("mvn.log");
        ProcessBuilder child = new ProcessBuilder(mavenExecutable(), "-B", "-s", settings.toString(),
                "-Dmaven.repo.local=" + repo, "test")
                .directory(project.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        // A CI system's MAVEN_OPTS=-Dmaven.repo.local=... would send the child to that repository, where
        // this build's framework is not installed: the child's repository is the one made above.
        child.environment().remove("MAVEN_OPTS");
        Process mvn = child.start();
        boolean finished = mvn.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            mvn.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(finished).as("child Maven finished; its output:%n%s", output).isTrue();
        assertThat(mvn.exitValue()).as("child Maven exit code; its output:%n%s", output).isZero();
        assertThat(output).contains("Tests run: 1, Failures: 0, Errors: 0, Skipped: 0");
        assertThat(project.resolve("target/classes/com/example/guestbook/Signatures.class")).exists();
    }

    /** The framework as this build produced it: its jar, or under {@code mvn test} a jar made of its classes. */
    private Path frameworkJar() throws IOException, URISyntaxException {
        Path location = Paths.get(Rewind.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (Files.isRegularFile(location)) {
            return location;
        }
        Path jar = tmp.resolve("rewind-framework.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(location)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(location.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    private static String mavenExecutable() {
        String home = System.getProperty("rewind.maven.home");
        String name = System.getProperty("os.name").startsWith("Windows") ? "mvn.cmd" : "mvn";
        if (home != null && !home.isBlank() && Files.isExecutable(Path.of(home, "bin", name))) {
            return Path.of(home, "bin", name).toString();
        }
        return name;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        assertThat(List.of(to.resolve("pom.xml"))).allMatch(Files::exists);
    }
}
