package dev.rewind.reuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README's "Use Rewind in your own project" shows the outside project's {@code pom.xml} and its first
 * event and projection; this keeps them the files {@link OutsideProjectTest} builds, so that what a
 * newcomer copies is what this build proves compiles and passes.
 */
class ReadmeSnippetTest {

    @Test
    void the_readme_pom_is_the_outside_projects_pom_with_this_builds_versions() throws Exception {
        String pom = read(resource("pom.xml"))
                .replace("@rewind.version@", System.getProperty("rewind.version"))
                .replace("@junit.version@", System.getProperty("rewind.junit.version"))
                .replace("@resources.version@", System.getProperty("rewind.resources.version"))
                .replace("@compiler.version@", System.getProperty("rewind.compiler.version"))
                .replace("@surefire.version@", System.getProperty("rewind.surefire.version"))
                .replaceAll("<\\?xml[^>]*>\\n", "")
                .replaceAll("<!--[^>]*-->\\n", "");
        assertThat(normalised(block("xml", 0))).isEqualTo(normalised(pom));
    }

    @Test
    void the_readme_event_and_projection_are_the_outside_projects() throws Exception {
        assertThat(normalised(block("java", 0))).isEqualTo(normalised(read(resource("src/main/java/com/example/guestbook/Signed.java"))));
        assertThat(normalised(block("java", 1)))
                .isEqualTo(normalised(read(resource("src/main/java/com/example/guestbook/Signatures.java"))));
    }

    /** The {@code index}-th fenced block of {@code language} in README's "Use Rewind in your own project". */
    private static String block(String language, int index) throws IOException {
        String readme = Files.readString(repositoryRoot().resolve("README.md"));
        int start = readme.indexOf("## Use Rewind in your own project");
        assertThat(start).as("README has the section").isNotNegative();
        String section = readme.substring(start, readme.indexOf("\n## ", start + 1));
        Matcher m = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL).matcher(section);
        for (int i = 0; i <= index; i++) {
            assertThat(m.find()).as("block %d of %s in README's section", i, language).isTrue();
        }
        return m.group(1);
    }

    private static String normalised(String text) {
        return text.strip().replaceAll("\\s+", " ");
    }

    private static Path resource(String name) throws URISyntaxException {
        return Paths.get(ReadmeSnippetTest.class.getResource("/outside-project").toURI()).resolve(name);
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p);
    }

    private static Path repositoryRoot() {
        Path dir = Path.of(System.getProperty("rewind.parent.pom")).getParent();
        assertThat(dir.resolve("README.md")).exists();
        return dir;
    }
}
