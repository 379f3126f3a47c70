package dev.rewind.example.orders.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The directory rule, through the real jar in child JVMs: only {@code demo} and {@code append} create
 * a store, and only in an absent or empty directory; every other subcommand opens a store read-only and
 * never changes a file, says {@code no Rewind store in DIR} where there is none and creates nothing;
 * {@code --reset} removes only a store's own files; {@code verify}'s exit code tells sound (0), damaged
 * (1) and torn tail (3) apart.
 */
class StoreDirectoryIT {
    /** A fixed seed: the torn tails are random bytes, the same at every run. */
    private static final long SEED = 13;

    @TempDir
    static Path shared;
    /** A demo store written once; tests copy it. */
    static Path demoStore;
    static Path outputs;
    static String eventIdAt5;

    @TempDir
    Path work;

    @BeforeAll
    static void writeTheDemoStore() {
        outputs = shared.resolve("outputs");
        Cli.Run demo = Jar.run(shared, outputs, "demo", "--data", "demo-store");
        assertThat(demo.exitCode()).as(demo.err()).isZero();
        demoStore = shared.resolve("demo-store");
        Cli.Run read = Jar.run(shared, outputs, "read", "--data", "demo-store", "--from", "5", "--limit", "1");
        eventIdAt5 = read.lines().get(0).get("eventId").asText();
    }

    /** Every subcommand that only reads, with the arguments it needs besides {@code --data}. */
    static List<List<String>> readingCommands() {
        return List.of(List.of("read"), List.of("read", "order-1001"), List.of("replay", "--from", eventIdAt5),
                List.of("events"), List.of("state", "order_totals"), List.of("projections"), List.of("stats"),
                List.of("verify"));
    }

    private Cli.Run run(List<String> command, String... more) {
        List<String> args = new ArrayList<>(command);
        args.addAll(List.of(more));
        return Jar.run(work, outputs, args.toArray(String[]::new));
    }

    private Cli.Run run(String... args) {
        return Jar.run(work, outputs, args);
    }

    /** @return every file (path -> content in hex) and directory (path -> "dir") under {@code root} */
    static Map<String, String> contentOf(Path root) {
        Map<String, String> content = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                String name = root.relativize(p).toString();
                content.put(name, Files.isDirectory(p) ? "dir" : HexFormat.of().formatHex(Files.readAllBytes(p)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return content;
    }

    /** @return a directory that is not a store: a note and a sub-directory holding a file */
    private Path notesDir() throws IOException {
        Path dir = Files.createDirectories(work.resolve("notes-dir/sub"));
        Files.writeString(dir.resolve("keep.txt"), "keep me");
        Path notes = work.resolve("notes-dir");
        Files.writeString(notes.resolve("notes.txt"), "important");
        return notes;
    }

    private Path copyOfTheDemoStore(String name) throws IOException {
        Path copy = Files.createDirectories(work.resolve(name));
        try (Stream<Path> files = Files.list(demoStore)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) {
                    Files.copy(f, copy.resolve(f.getFileName()));
                }
            }
        }
        return copy;
    }

    static Path lastSegment(Path store) throws IOException {
        try (Stream<Path> files = Files.list(store)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".seg")).sorted()
                    .reduce((a, b) -> b).orElseThrow();
        }
    }

    /** Appends {@code n} random bytes to the last segment: what a crash while writing a record can leave. */
    static void tearTheTail(Path store, int n) throws IOException {
        byte[] garbage = new byte[n];
        new Random(SEED + n).nextBytes(garbage);
        Files.write(lastSegment(store), garbage, StandardOpenOption.APPEND);
    }

    @Nested
    class ReadingCommands {
        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.rewind.example.orders.cli.StoreDirectoryIT#readingCommands")
        void on_a_missing_directory_say_there_is_no_store_and_create_nothing(List<String> command) {
            Path missing = work.resolve("nowhere");

            Cli.Run run = run(command, "--data", "nowhere");

            assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).startsWith("error: no Rewind store in " + missing.toAbsolutePath());
            assertThat(missing).doesNotExist();
            assertThat(contentOf(work)).containsOnlyKeys("");
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.rewind.example.orders.cli.StoreDirectoryIT#readingCommands")
        void on_a_directory_holding_no_store_say_so_and_change_nothing(List<String> command) throws IOException {
            Path notes = notesDir();
            Map<String, String> before = contentOf(work);

            Cli.Run run = run(command, "--data", "notes-dir");

            assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).startsWith("error: no Rewind store in " + notes.toAbsolutePath());
            assertThat(contentOf(work)).isEqualTo(before);
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.rewind.example.orders.cli.StoreDirectoryIT#readingCommands")
        void on_an_empty_directory_say_there_is_no_store_and_leave_it_empty(List<String> command) throws IOException {
            Path empty = Files.createDirectories(work.resolve("empty"));

            Cli.Run run = run(command, "--data", "empty");

            assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
            assertThat(run.err()).startsWith("error: no Rewind store in " + empty.toAbsolutePath());
            assertThat(contentOf(work)).containsOnlyKeys("", "empty");
        }

        @Test
        void stats_in_a_notes_directory_creates_nothing() throws IOException {
            notesDir();
            Map<String, String> before = contentOf(work);

            Cli.Run run = run("stats", "--data", "notes-dir");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(contentOf(work)).as("every file and directory, byte for byte").isEqualTo(before);
            assertThat(work.resolve("notes-dir/rewind.lock")).doesNotExist();
        }

        @Test
        void a_file_url_follows_the_same_rule() throws IOException {
            notesDir();
            Map<String, String> before = contentOf(work);

            Cli.Run run = run("read", "--store", "file:notes-dir");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).startsWith("error: no Rewind store in ");
            assertThat(contentOf(work)).isEqualTo(before);
        }
    }

    @Nested
    class TornTail {
        Path store;
        Map<String, String> before;

        @BeforeEach
        void aDemoStoreWithATornTail() throws IOException {
            store = copyOfTheDemoStore("torn");
            tearTheTail(store, 40);
            before = contentOf(store);
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.rewind.example.orders.cli.StoreDirectoryIT#readingCommands")
        void a_reading_command_reads_around_it_and_changes_no_file(List<String> command) {
            Cli.Run run = run(command, "--data", "torn");

            assertThat(run.exitCode()).as(run.err()).isIn(0, VerifyCommand.TORN_TAIL);
            assertThat(run.out()).isNotEmpty();
            assertThat(contentOf(store)).as("every file, byte for byte, and no new one").isEqualTo(before);
        }

        @Test
        void read_prints_every_event_before_it_and_warns() {
            Cli.Run run = run("read", "--data", "torn");

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.positions()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
            assertThat(run.err()).contains("WARN").contains("torn tail");
            assertThat(contentOf(store)).isEqualTo(before);
        }

        @Test
        void verify_exits_3_with_a_note_and_the_report_says_torn_tail() {
            Cli.Run run = run("verify", "--data", "torn");

            assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
            assertThat(run.json().get("outcome").asText()).isEqualTo("torn_tail");
            assertThat(run.json().get("ok").asBoolean()).isTrue();
            assertThat(run.json().get("events").asLong()).isEqualTo(8);
            assertThat(run.json().get("index_checks").asLong()).isPositive();
            assertThat(run.err()).contains("\nnote: torn tail in segment ")
                    .as("the read-only open for the index checks warns too").contains("WARN");
            assertThat(contentOf(store)).isEqualTo(before);
        }

        @Test
        void the_next_append_cuts_it_and_continues_after_the_last_event() {
            Cli.Run append = run("append", "--data", "torn", "--stream", "order-1003", "--type", "OrderPlaced",
                    "{\"orderId\":\"1003\",\"userId\":\"carol\",\"currency\":\"GBP\"}");

            assertThat(append.exitCode()).as(append.err()).isZero();
            assertThat(append.lines().get(0).get("globalPosition").asLong()).isEqualTo(8);
            Cli.Run verify = run("verify", "--data", "torn");
            assertThat(verify.exitCode()).as(verify.err()).isZero();
            assertThat(verify.json().get("events").asLong()).isEqualTo(9);
        }
    }

    @Nested
    class Verify {
        @Test
        void a_sound_store_exits_0() throws IOException {
            copyOfTheDemoStore("sound");

            Cli.Run run = run("verify", "--data", "sound");

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.err()).isEmpty();
            assertThat(run.json().get("outcome").asText()).isEqualTo("sound");
        }

        @Test
        void a_few_torn_bytes_exit_3() throws IOException {
            Path store = copyOfTheDemoStore("short-tail");
            tearTheTail(store, 5);

            Cli.Run run = run("verify", "--data", "short-tail");

            assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
        }

        @Test
        void a_damaged_acknowledged_last_record_exits_1_naming_it_and_no_command_cuts_it() throws IOException {
            Path store = copyOfTheDemoStore("damaged");
            Path segment = lastSegment(store);
            byte[] bytes = Files.readAllBytes(segment);
            int at = new String(bytes, StandardCharsets.ISO_8859_1).lastIndexOf("1002"); // in the last record's payload
            assertThat(at).isPositive();
            bytes[at] = 0x60;
            Files.write(segment, bytes);
            Map<String, String> before = contentOf(store);

            Cli.Run verify = run("verify", "--data", "damaged");
            Cli.Run read = run("read", "--data", "damaged");

            assertThat(verify.exitCode()).isEqualTo(1);
            assertThat(verify.json().get("outcome").asText()).isEqualTo("damaged");
            assertThat(verify.err()).startsWith("error: ").contains("global position 7");
            assertThat(read.exitCode()).isEqualTo(1);
            assertThat(read.err()).contains("global position 7");
            assertThat(contentOf(store)).isEqualTo(before);
        }
    }

    @Nested
    class Demo {
        @Test
        void reset_on_a_notes_directory_deletes_nothing_and_names_what_it_does_not_recognise() throws IOException {
            notesDir();
            Map<String, String> before = contentOf(work);

            Cli.Run run = run("demo", "--reset", "--data", "notes-dir");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).startsWith("error: ").contains("notes.txt").contains("sub/").contains("nothing was deleted");
            assertThat(contentOf(work)).isEqualTo(before);
        }

        @Test
        void reset_on_a_store_holding_a_foreign_file_deletes_nothing() throws IOException {
            Path store = copyOfTheDemoStore("mixed");
            Files.writeString(store.resolve("README.txt"), "mine");
            Map<String, String> before = contentOf(work);

            Cli.Run run = run("demo", "--reset", "--data", "mixed");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).contains("README.txt").doesNotContain("00000000000000000000.seg,");
            assertThat(contentOf(work)).isEqualTo(before);
        }

        @Test
        void reset_replaces_a_store_and_prints_the_same_document() throws IOException {
            copyOfTheDemoStore("again");

            Cli.Run run = run("demo", "--reset", "--data", "again");

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(Json.MAPPER.readTree(run.out())).isEqualTo(Json.MAPPER.readTree(DemoTest.EXPECTED));
        }

        @Test
        void without_reset_a_directory_that_is_not_empty_is_refused_and_unchanged() throws IOException {
            notesDir();
            copyOfTheDemoStore("store");
            Map<String, String> before = contentOf(work);

            Cli.Run notes = run("demo", "--data", "notes-dir");
            Cli.Run store = run("demo", "--data", "store");

            assertThat(notes.exitCode()).isEqualTo(1);
            assertThat(notes.err()).endsWith("notes-dir is not empty and holds no Rewind store: name an empty or absent directory\n");
            assertThat(store.exitCode()).isEqualTo(1);
            assertThat(store.err()).endsWith("store holds a Rewind store: give --reset to remove it, or name an empty or absent directory\n");
            assertThat(contentOf(work)).isEqualTo(before);
        }

        @Test
        void a_missing_parent_is_an_error_naming_it() {
            Cli.Run run = run("demo", "--data", "a/b/c");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).contains(work.resolve("a/b").toAbsolutePath().toString());
            assertThat(work.resolve("a")).doesNotExist();
        }
    }

    @Nested
    class Append {
        private static final String PLACED = "{\"orderId\":\"1003\",\"userId\":\"carol\",\"currency\":\"GBP\"}";

        private Cli.Run append(String dir) {
            return run("append", "--data", dir, "--stream", "order-1003", "--type", "OrderPlaced", PLACED);
        }

        @Test
        void never_creates_missing_parents_and_names_the_missing_one() {
            Cli.Run run = append("a/b/c");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).startsWith("error: ").contains(work.resolve("a/b").toAbsolutePath().toString());
            assertThat(work.resolve("a")).doesNotExist();
        }

        @Test
        void creates_a_store_in_an_absent_directory_whose_parent_exists_and_in_an_empty_one() throws IOException {
            Files.createDirectories(work.resolve("empty"));

            Cli.Run absent = append("new-store");
            Cli.Run empty = append("empty");

            assertThat(absent.exitCode()).as(absent.err()).isZero();
            assertThat(empty.exitCode()).as(empty.err()).isZero();
            assertThat(run("read", "--data", "new-store").positions()).containsExactly(0L);
            assertThat(run("read", "--data", "empty").positions()).containsExactly(0L);
        }

        @Test
        void refuses_a_directory_holding_no_store_and_changes_nothing() throws IOException {
            Path notes = notesDir();
            Map<String, String> before = contentOf(work);

            Cli.Run run = append("notes-dir");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).startsWith("error: no Rewind store in " + notes.toAbsolutePath());
            assertThat(contentOf(work)).isEqualTo(before);
        }

        @Test
        void json_it_refuses_leaves_the_log_byte_identical() throws IOException {
            Path store = copyOfTheDemoStore("store");
            Map<String, String> before = segmentsOf(store);

            Cli.Run trailing = run("append", "--data", "store", "--stream", "order-1003", "--type", "OrderPlaced",
                    PLACED + " xyz");
            Cli.Run duplicate = run("append", "--data", "store", "--stream", "order-1003", "--type", "OrderPlaced",
                    "{\"orderId\":\"1003\",\"orderId\":\"1004\",\"userId\":\"carol\",\"currency\":\"GBP\"}");

            assertThat(trailing.exitCode()).isEqualTo(1);
            assertThat(trailing.err()).contains("of type OrderPlaced v1: trailing content after the JSON object");
            assertThat(duplicate.exitCode()).isEqualTo(1);
            assertThat(duplicate.err()).contains("of type OrderPlaced v1: duplicate field 'orderId'");
            assertThat(run("stats", "--data", "store").json().get("events").asLong()).isEqualTo(8);
            assertThat(segmentsOf(store)).isEqualTo(before);
        }

        /** The segment files: opening a store for writing may rewrite its own bookkeeping files, never the log. */
        private Map<String, String> segmentsOf(Path store) {
            Map<String, String> segments = new TreeMap<>(contentOf(store));
            segments.keySet().removeIf(name -> !name.endsWith(".seg"));
            assertThat(segments).isNotEmpty();
            return segments;
        }
    }
}
