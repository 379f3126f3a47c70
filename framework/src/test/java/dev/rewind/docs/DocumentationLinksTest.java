package dev.rewind.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every link of the repository's Markdown files (README.md, notes.md, BENCHMARKS.md, docs/ and the
 * modules' own) resolves inside the repository; no link leaves it (the rules: {@link MarkdownLinks}).
 * It runs in the framework module because that is where {@code mvn -B verify} runs tests first; it
 * reads the repository from its root.
 */
class DocumentationLinksTest {
    @TempDir
    Path repo;

    /**
     * The repository's root: the nearest directory at or above the module's that holds the parent POM
     * (the one that lists the framework module) and README.md. Surefire runs tests in the module's
     * directory and says so in {@code basedir}; an IDE may start elsewhere in the tree.
     */
    static Path repositoryRoot() throws IOException {
        Path start = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path pom = dir.resolve("pom.xml");
            if (Files.isRegularFile(pom) && Files.isRegularFile(dir.resolve("README.md"))
                    && Files.readString(pom).contains("<module>framework</module>")) {
                return dir;
            }
        }
        throw new IllegalStateException("no repository root at or above " + start
                + ": expected a directory with README.md and the pom.xml that lists <module>framework</module>");
    }

    @Test
    void every_link_in_the_documentation_resolves_inside_the_repository() throws IOException {
        Path root = repositoryRoot();
        MarkdownLinks links = new MarkdownLinks(root);
        List<Path> files = links.markdownFiles();
        List<String> problems = new ArrayList<>();
        files.forEach(f -> problems.addAll(links.check(f)));

        assertThat(files).extracting(f -> root.relativize(f).toString().replace('\\', '/'))
                .contains("README.md", "notes.md", "BENCHMARKS.md", "docs/adr/0009-file-store-recovery.md");
        assertThat(problems).as("broken links, as file:line: link: problem").isEmpty();
    }

    // The checker itself, on a small repository of its own.

    private Path write(String path, String... lines) throws IOException {
        Path file = repo.resolve(path);
        Files.createDirectories(file.getParent());
        Files.write(file, List.of(lines));
        return file;
    }

    private List<String> check(Path file) {
        return new MarkdownLinks(repo).check(file);
    }

    @Test
    void links_to_files_directories_and_headings_that_exist_pass() throws IOException {
        write("docs/adr/0001-a.md", "# ADR 1: the file's `format`, and *why*", "## Recovery", "## Recovery");
        write("src/Main.java", "class Main {}");
        Path readme = write("README.md", "See [ADR 1](docs/adr/0001-a.md#adr-1-the-files-format-and-why), the",
                "[second recovery](docs/adr/0001-a.md#recovery-1), [the sources](src/) and [below](#usage).",
                "`src/Main.java` is where it starts.", "", "## Usage", "![logo](docs/adr/0001-a.md)",
                "[ref]: docs/adr/0001-a.md");

        assertThat(check(readme)).isEmpty();
    }

    @Test
    void a_missing_file_a_missing_heading_and_a_path_leaving_the_repository_are_named_with_file_and_line()
            throws IOException {
        write("docs/a.md", "# Title");
        Path notes = write("notes.md", "Intro.", "See [the design](../shared/DESIGN.md) and [b](docs/b.md).",
                "Also [a](docs/a.md#no-such-heading) and [here](#nowhere).", "The design (`../shared/DESIGN.md`).",
                "Code: `docs/gone/Thing.java`.", "[ref]: docs/c.md", "[abs](/docs/a.md)");

        assertThat(check(notes)).containsExactly(
                "notes.md:2: ../shared/DESIGN.md: leaves the repository",
                "notes.md:2: docs/b.md: no such file or directory: docs/b.md",
                "notes.md:3: docs/a.md#no-such-heading: no heading with the anchor #no-such-heading in docs/a.md"
                        + " (anchors are the headings in lower case, spaces as '-', punctuation dropped)",
                "notes.md:3: #nowhere: no heading with the anchor #nowhere in notes.md (anchors are the headings in"
                        + " lower case, spaces as '-', punctuation dropped)",
                "notes.md:4: `../shared/DESIGN.md`: a path that leaves the repository",
                "notes.md:5: `docs/gone/Thing.java`: no such file or directory in the repository",
                "notes.md:6: docs/c.md: no such file or directory: docs/c.md",
                "notes.md:7: /docs/a.md: an absolute path; write it relative to the file (notes.md)");
    }

    @Test
    void no_link_leaves_the_repository_not_even_to_the_web() throws IOException {
        Path readme = write("README.md", "[Axon](https://www.axoniq.io/) and <https://example.org/x>,",
                "or bare: see http://example.org/y for more.", "[mail](mailto:someone@example.org)");

        String why = "a link outside the repository; the documentation links only to files of the repository"
                + " (cite outside work by name and version)";
        assertThat(check(readme)).containsExactly("README.md:1: https://www.axoniq.io/: " + why,
                "README.md:1: https://example.org/x: " + why, "README.md:2: http://example.org/y: " + why,
                "README.md:3: mailto:someone@example.org: " + why);
    }

    @Test
    void code_blocks_build_output_urls_in_code_and_other_code_spans_are_not_links() throws IOException {
        Path readme = write("README.md", "```", "[x](missing.md) https://example.org", "```",
                "`example-orders/target/app.jar`, `jdbc:postgresql://localhost/db`, `file:DIR`, `./demo-data`,",
                "`internal/Delivery.java` (relative to a package), `fixtures/release-{1,2}.json`, `a/b c/d`.");
        write("example-orders/pom.xml", "<project/>");

        assertThat(check(readme)).isEmpty();
    }

    @Test
    void a_file_may_declare_where_its_code_paths_start() throws IOException {
        write("framework/src/main/java/dev/rewind/internal/Delivery.java", "class Delivery {}");
        write("framework/src/main/java/dev/rewind/storage/file/LogLoader.java", "class LogLoader {}");
        Path notes = write("notes.md", "<!-- code paths: framework/src/main/java/dev/rewind/ -->",
                "`internal/Delivery.java`, `internal/Delivery`, `storage/file/LogLoader.decideTail`, `storage/file/`,",
                "`internal/Gone.java` and `storage/memory/Streams`.", "`../x.md`");
        Path other = write("docs/other.md", "<!-- code paths: nowhere/ -->", "`internal/Gone.java`");

        String under = ": no such file, class or directory under framework/src/main/java/dev/rewind/";
        assertThat(check(notes)).containsExactly("notes.md:3: `internal/Gone.java`" + under,
                "notes.md:3: `storage/memory/Streams`" + under, "notes.md:4: `../x.md`: a path that leaves the repository");
        assertThat(check(other)).containsExactly(
                "docs/other.md:1: code paths: nowhere/: no such directory in the repository");
    }

    @Test
    void build_output_and_hidden_directories_are_not_searched_for_markdown() throws IOException {
        write("README.md", "# Readme");
        write("docs/x.md", "# X");
        write("framework/target/classes/y.md", "[broken](nothing.md)");
        write(".git/z.md", "[broken](nothing.md)");

        assertThat(new MarkdownLinks(repo).markdownFiles()).containsExactly(repo.resolve("README.md"),
                repo.resolve("docs/x.md"));
    }
}
