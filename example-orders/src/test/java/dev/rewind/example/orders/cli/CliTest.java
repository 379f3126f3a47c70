package dev.rewind.example.orders.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every subcommand, in-process, over the store the demo writes (8 events, positions 0..7: see
 * {@link DemoTest}). Tests that change a store work on a copy.
 */
class CliTest {
    @TempDir
    static Path shared;
    static String demoStore;

    @TempDir
    Path tmp;

    @BeforeAll
    static void writeTheDemoStore() {
        demoStore = shared.resolve("demo-data").toString();
        assertThat(Cli.run("demo", "--data", demoStore).exitCode()).isZero();
    }

    /** @return a copy of the demo store, for a test that changes it */
    Path copyOfTheDemoStore() throws IOException {
        Path copy = tmp.resolve("copy");
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(Path.of(demoStore))) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        return copy;
    }

    static Path segmentOf(Path store) throws IOException {
        try (Stream<Path> files = Files.list(store)) {
            return files.filter(f -> f.toString().endsWith(".seg")).findFirst().orElseThrow();
        }
    }

    static String idAt(String store, long position) {
        return Cli.run("read", "--data", store, "--from", Long.toString(position), "--limit", "1")
                .lines().get(0).get("eventId").asText();
    }

    @Nested
    class Read {
        @Test
        void a_stream_prints_its_events_one_json_object_per_line() {
            Cli.Run run = Cli.run("read", "--data", demoStore, "order-1001");

            assertThat(run.exitCode()).isZero();
            assertThat(run.lines()).extracting(n -> n.get("type").asText())
                    .containsExactly("OrderPlaced", "ItemAdded", "OrderPaid", "OrderShipped");
            assertThat(run.lines()).extracting(n -> n.get("streamVersion").asLong()).containsExactly(0L, 1L, 2L, 3L);
            JsonNode placed = run.lines().get(0);
            assertThat(placed.get("recordedAt").asText()).isEqualTo("2024-05-01T14:00:00Z");
            assertThat(placed.get("schemaVersion").asInt()).isEqualTo(1);
            assertThat(placed.get("payload").toString())
                    .isEqualTo("{\"orderId\":\"1001\",\"userId\":\"alice\",\"currency\":\"EUR\"}");
        }

        @Test
        void without_a_stream_prints_everything_from_a_global_position() {
            assertThat(Cli.run("read", "--data", demoStore).positions()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
            assertThat(Cli.run("read", "--data", demoStore, "--from", "6").positions()).containsExactly(6L, 7L);
            assertThat(Cli.run("read", "--data", demoStore, "--from", "2", "--limit", "2").positions())
                    .containsExactly(2L, 3L);
        }

        @Test
        void a_missing_store_is_an_error_and_is_not_created() {
            Path missing = tmp.resolve("nowhere");

            Cli.Run run = Cli.run("read", "--data", missing.toString());

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).isEqualTo("error: no Rewind store in " + missing.toAbsolutePath()
                    + ": the directory does not exist\n");
            assertThat(missing).doesNotExist();
        }
    }

    @Nested
    class Replay {
        @Test
        void re_emits_the_event_with_that_id_and_every_later_one() {
            Cli.Run run = Cli.run("replay", "--data", demoStore, "--from", idAt(demoStore, 5));

            assertThat(run.exitCode()).isZero();
            assertThat(run.positions()).containsExactly(5L, 6L, 7L);
        }

        @Test
        void an_unknown_id_is_an_error_naming_it() {
            Cli.Run run = Cli.run("replay", "--data", demoStore, "--from", "00000000-0000-0000-0000-00000000abcd");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).startsWith("error: ").contains("00000000-0000-0000-0000-00000000abcd");
        }
    }

    @Nested
    class Events {
        @Test
        void prints_the_events_recorded_from_the_start_inclusive_to_the_end_exclusive() {
            Cli.Run run = Cli.run("events", "--data", demoStore,
                    "--from", "2024-05-01T14:30:00Z", "--to", "2024-05-01T15:30:00Z");

            assertThat(run.exitCode()).isZero();
            assertThat(run.positions()).containsExactly(4L, 5L);
        }

        @Test
        void from_after_to_prints_nothing_and_exits_0() {
            Cli.Run run = Cli.run("events", "--data", demoStore,
                    "--from", "2024-05-01T16:00:00Z", "--to", "2024-05-01T14:00:00Z");

            assertThat(run.exitCode()).isZero();
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).isEmpty();
        }

        @Test
        void an_instant_that_is_not_iso_8601_is_a_usage_error() {
            Cli.Run run = Cli.run("events", "--data", demoStore, "--from", "yesterday");

            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).contains("'yesterday'").contains("--from");
        }
    }

    @Nested
    class State {
        @Test
        void now_at_an_instant_and_at_a_position() throws Exception {
            JsonNode now = Cli.run("state", "order_totals", "--data", demoStore).json();
            JsonNode at15 = Cli.run("state", "order_totals", "--data", demoStore, "--at", "2024-05-01T15:00:00Z").json();
            JsonNode atFirst = Cli.run("state", "order_totals", "--data", demoStore, "--position", "0").json();

            JsonNode expected = Json.MAPPER.readTree(DemoTest.EXPECTED);
            assertThat(now).isEqualTo(expected.get("projections").get("order_totals"));
            assertThat(at15).isEqualTo(expected.get("temporal_query").get("order_totals"));
            assertThat(atFirst.toString()).isEqualTo(
                    "{\"1001\":{\"userId\":\"alice\",\"currency\":\"EUR\",\"items\":0,\"totalCents\":0,\"status\":\"PLACED\"}}");
        }

        @Test
        void before_the_first_event_is_the_empty_state() {
            Cli.Run run = Cli.run("state", "revenue_by_currency", "--data", demoStore, "--at", "2024-01-01T00:00:00Z");

            assertThat(run.exitCode()).isZero();
            assertThat(run.json().isEmpty()).isTrue();
        }

        @Test
        void an_unknown_projection_is_an_error_listing_the_known_ones() {
            Cli.Run run = Cli.run("state", "nope", "--data", demoStore);

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).isEqualTo(
                    "error: no projection 'nope' (known: order_totals, revenue_by_currency, user_activity)\n");
        }
    }

    @Nested
    class Projections {
        @Test
        void lists_every_projection_with_its_status_and_state() throws Exception {
            Cli.Run run = Cli.run("projections", "--data", demoStore);

            assertThat(run.exitCode()).isZero();
            JsonNode doc = run.json();
            assertThat(doc.fieldNames()).toIterable()
                    .containsExactly("order_totals", "revenue_by_currency", "user_activity");
            assertThat(doc.get("revenue_by_currency").toString())
                    .isEqualTo("{\"status\":\"running\",\"last_position\":7,\"state\":{\"EUR\":3000,\"USD\":0}}");
            assertThat(doc.get("user_activity").get("state"))
                    .isEqualTo(Json.MAPPER.readTree(DemoTest.EXPECTED).get("projections").get("user_activity"));
        }
    }

    @Nested
    class Stats {
        @Test
        void counts_events_streams_and_types() {
            Cli.Run run = Cli.run("stats", "--data", demoStore);

            assertThat(run.exitCode()).isZero();
            JsonNode doc = run.json();
            assertThat(doc.get("events").asLong()).isEqualTo(8);
            assertThat(doc.get("streams").asInt()).isEqualTo(2);
            assertThat(doc.get("events_by_type").toString()).isEqualTo(
                    "{\"ItemAdded\":2,\"OrderCancelled\":1,\"OrderPaid\":2,\"OrderPlaced\":2,\"OrderShipped\":1}");
            assertThat(doc.get("first_recorded_at").asText()).isEqualTo("2024-05-01T14:00:00Z");
            assertThat(doc.get("last_recorded_at").asText()).isEqualTo("2024-05-01T16:00:00Z");
            assertThat(doc.get("segments").asInt()).isEqualTo(1);
            assertThat(doc.get("bytes").asLong()).isPositive();
        }
    }

    @Nested
    class Verify {
        @Test
        void a_sound_store_passes() {
            Cli.Run run = Cli.run("verify", "--data", demoStore);

            assertThat(run.exitCode()).isZero();
            assertThat(run.err()).isEmpty();
            JsonNode report = run.json();
            assertThat(report.get("ok").asBoolean()).isTrue();
            assertThat(report.get("outcome").asText()).isEqualTo("sound");
            assertThat(report.get("events").asLong()).isEqualTo(8);
            assertThat(report.get("problems")).isEmpty();
            assertThat(report.get("index_checks").asLong()).isEqualTo(8 * 2 + 2 + 1);
        }

        @Test
        void a_torn_tail_is_a_note_exit_code_3_and_verify_leaves_it_for_the_next_write_to_cut() throws Exception {
            Path store = copyOfTheDemoStore();
            Path segment = segmentOf(store);
            byte[] torn = Files.readAllBytes(segment);
            torn = java.util.Arrays.copyOf(torn, torn.length + 7); // a crash while writing a header: zeros after the log
            Files.write(segment, torn);

            Cli.Run run = Cli.run("verify", "--data", store.toString());

            assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
            assertThat(run.json().get("outcome").asText()).isEqualTo("torn_tail");
            assertThat(run.json().get("notes").toString()).contains("torn tail in segment");
            assertThat(run.err()).startsWith("note: torn tail in segment ");
            assertThat(Files.readAllBytes(segment)).as("verify changes nothing").isEqualTo(torn);
        }

        @Test
        void a_cut_acknowledged_record_is_damage_exit_code_1() throws Exception {
            Path store = copyOfTheDemoStore();
            Path segment = segmentOf(store);
            byte[] bytes = Files.readAllBytes(segment);
            byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 5); // the store was closed cleanly after it

            Files.write(segment, cut);
            Cli.Run run = Cli.run("verify", "--data", store.toString());

            assertThat(run.exitCode()).as(run.out()).isEqualTo(1);
            assertThat(run.json().get("outcome").asText()).isEqualTo("damaged");
            assertThat(run.err()).startsWith("error: ");
            assertThat(Files.readAllBytes(segment)).as("verify changes nothing").isEqualTo(cut);
        }

        @Test
        void a_flipped_bit_fails_naming_the_segment_offset_and_position() throws Exception {
            Path store = copyOfTheDemoStore();
            Path segment = segmentOf(store);
            byte[] bytes = Files.readAllBytes(segment);
            int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("LAMP-3"); // inside position 3's payload
            assertThat(at).isPositive();
            bytes[at] ^= 0x01;
            Files.write(segment, bytes);

            Cli.Run run = Cli.run("verify", "--data", store.toString());

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.json().get("ok").asBoolean()).isFalse();
            assertThat(run.err()).startsWith("error: damaged acknowledged record in segment " + segment.toAbsolutePath())
                    .contains(" at offset ").contains("(global position 3)");
            assertThat(Files.readAllBytes(segment)).as("verify changes nothing").isEqualTo(bytes);
        }
    }

    @Nested
    class Append {
        @Test
        void appends_one_event_and_prints_it_as_stored() throws Exception {
            String store = copyOfTheDemoStore().toString();

            Cli.Run run = Cli.run("append", "--data", store, "--stream", "order-1003", "--type", "OrderPlaced",
                    "--expected-version", "no-stream", "{\"orderId\":\"1003\",\"userId\":\"carol\",\"currency\":\"GBP\"}");

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.lines()).hasSize(1);
            JsonNode stored = run.lines().get(0);
            assertThat(stored.get("globalPosition").asLong()).isEqualTo(8);
            assertThat(stored.get("streamVersion").asLong()).isZero();
            assertThat(Cli.run("state", "order_totals", "--data", store).json().get("1003").toString())
                    .isEqualTo("{\"userId\":\"carol\",\"currency\":\"GBP\",\"items\":0,\"totalCents\":0,\"status\":\"PLACED\"}");
        }

        @Test
        void an_old_schema_version_is_stored_as_is_and_read_upcast() throws Exception {
            String store = copyOfTheDemoStore().toString();

            Cli.Run run = Cli.run("append", "--data", store, "--stream", "order-1001", "--type", "OrderPaid",
                    "--schema-version", "1", "{\"orderId\":\"1001\",\"amount\":\"12.34\"}");

            assertThat(run.exitCode()).as(run.err()).isZero();
            JsonNode stored = run.lines().get(0);
            assertThat(stored.get("schemaVersion").asInt()).isEqualTo(1);
            assertThat(stored.get("payload").toString())
                    .isEqualTo("{\"orderId\":\"1001\",\"amountCents\":1234,\"currency\":\"USD\",\"paymentMethod\":\"card\"}");
        }

        @Test
        void a_duplicate_event_id_is_refused_naming_the_id_and_the_store_is_unchanged() throws Exception {
            String store = copyOfTheDemoStore().toString();
            String existing = idAt(store, 2);
            String before = Cli.run("read", "--data", store).out();

            Cli.Run run = Cli.run("append", "--data", store, "--stream", "order-1003", "--type", "OrderPlaced",
                    "--event-id", existing, "{\"orderId\":\"1003\",\"userId\":\"carol\",\"currency\":\"GBP\"}");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).startsWith("error: duplicate event id " + existing + ": ");
            assertThat(Cli.run("read", "--data", store).out()).isEqualTo(before);
        }

        @Test
        void a_wrong_expected_version_is_a_conflict_and_nothing_is_written() throws Exception {
            String store = copyOfTheDemoStore().toString();

            Cli.Run run = Cli.run("append", "--data", store, "--stream", "order-1001", "--type", "OrderShipped",
                    "--expected-version", "1", "{\"orderId\":\"1001\",\"carrier\":\"UPS\"}");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).startsWith("error: ").contains("order-1001");
            assertThat(Cli.run("stats", "--data", store).json().get("events").asLong()).isEqualTo(8);
        }

        @Test
        void an_unknown_type_is_refused_by_the_closed_registry() throws Exception {
            String store = copyOfTheDemoStore().toString();

            Cli.Run run = Cli.run("append", "--data", store, "--stream", "x", "--type", "OrderTeleported", "{}");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).startsWith("error: unknown event type 'OrderTeleported'");
        }

        @Test
        void a_bad_expected_version_is_a_usage_error_naming_the_option() {
            Path dir = tmp.resolve("s");

            Cli.Run run = Cli.run("append", "--data", dir.toString(), "--stream", "x", "--type",
                    "OrderPlaced", "--expected-version", "latest", "{}");

            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).startsWith("Invalid value for option '--expected-version': "
                    + "must be any, no-stream or a version 0 or more, was 'latest'\n");
            assertThat(dir).doesNotExist();
        }

        @Test
        void json_that_needs_a_coercion_is_refused_and_nothing_is_written() throws Exception {
            String store = copyOfTheDemoStore().toString();

            Cli.Run run = Cli.run("append", "--data", store, "--stream", "order-1001", "--type", "ItemAdded",
                    "{\"orderId\":\"1001\",\"sku\":\"X\",\"quantity\":2.7,\"unitPriceCents\":100}");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).startsWith("error: raw event ").endsWith(
                    " of type ItemAdded v1: cannot coerce 2.7 to int for field 'quantity'\n");
            assertThat(Cli.run("stats", "--data", store).json().get("events").asLong()).isEqualTo(8);
        }

        @Test
        void the_payload_is_stored_and_printed_in_canonical_form() throws Exception {
            String store = copyOfTheDemoStore().toString();

            Cli.Run run = Cli.run("append", "--data", store, "--stream", "order-1003", "--type", "OrderPlaced",
                    "{ \"currency\" : \"GBP\", \"userId\" : \"carol\", \"orderId\" : \"1003\" }");

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.lines().get(0).get("payload").toString())
                    .isEqualTo("{\"orderId\":\"1003\",\"userId\":\"carol\",\"currency\":\"GBP\"}");
        }
    }

    static final List<String> SUBCOMMANDS =
            List.of("demo", "append", "read", "replay", "events", "state", "projections", "verify", "stats", "status",
                    "parked", "retry", "skip", "serve");

    @Test
    void help_lists_every_subcommand() {
        Cli.Run run = Cli.run("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(SUBCOMMANDS).allSatisfy(c -> assertThat(run.out()).contains("  " + c + " "));
    }

    @Test
    void every_subcommand_has_help_and_version() {
        assertThat(SUBCOMMANDS).allSatisfy(c -> {
            Cli.Run help = Cli.run(c, "--help");
            assertThat(help.exitCode()).as(c + " --help: " + help.err()).isZero();
            assertThat(help.out()).startsWith("Usage: rewind-orders " + c + " ").contains("-h, --help");
            Cli.Run version = Cli.run(c, "--version");
            assertThat(version.exitCode()).isZero();
            assertThat(version.out()).isEqualTo("rewind-orders 0.1.0\n");
        });
    }

    @Test
    void verify_help_documents_its_exit_codes() {
        Cli.Run run = Cli.run("verify", "--help");

        assertThat(run.out()).contains("Exit codes:\n  0   sound\n  1   damaged: ").contains("\n  3   a torn tail only: ");
    }

    @Nested
    class UsageErrors {
        @Test
        void read_limit_and_from_must_be_0_or_more() {
            Cli.Run limit = Cli.run("read", "--data", demoStore, "--limit", "-1");
            Cli.Run from = Cli.run("read", "--data", demoStore, "--from", "-1");
            Cli.Run text = Cli.run("read", "--data", demoStore, "--limit", "ten");

            assertThat(limit.exitCode()).isEqualTo(2);
            assertThat(limit.out()).isEmpty();
            assertThat(limit.err()).startsWith("Invalid value for option '--limit': must be 0 or more, was -1\n");
            assertThat(from.exitCode()).isEqualTo(2);
            assertThat(from.err()).startsWith("Invalid value for option '--from': must be 0 or more, was -1\n");
            assertThat(text.exitCode()).isEqualTo(2);
            assertThat(text.err()).startsWith("Invalid value for option '--limit': 'ten' is not a whole number\n");
        }

        @Test
        void state_position_below_minus_1_is_refused() {
            Cli.Run run = Cli.run("state", "order_totals", "--data", demoStore, "--position", "-2");

            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).startsWith("Invalid value for option '--position': must be -1");
        }

        @Test
        void append_event_id_and_schema_version_are_named() {
            Path dir = tmp.resolve("s");

            Cli.Run id = Cli.run("append", "--data", dir.toString(), "--stream", "x", "--type", "OrderPlaced",
                    "--event-id", "not-a-uuid", "{}");
            Cli.Run version = Cli.run("append", "--data", dir.toString(), "--stream", "x", "--type", "OrderPlaced",
                    "--schema-version", "0", "{}");

            assertThat(id.exitCode()).isEqualTo(2);
            assertThat(id.err()).startsWith("Invalid value for option '--event-id': ");
            assertThat(version.exitCode()).isEqualTo(2);
            assertThat(version.err()).startsWith("Invalid value for option '--schema-version': must be a schema version 1 or more, was 0\n");
            assertThat(dir).doesNotExist();
        }

        @Test
        void demo_pg_schema_must_be_a_plain_sql_name() {
            Cli.Run run = Cli.run("demo", "--postgres", "jdbc:postgresql://localhost:1/none", "--pg-schema", "Robert'); DROP");

            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).startsWith("Invalid value for option '--pg-schema': must be a lower-case SQL name");
        }

        @Test
        void demo_data_and_postgres_together_are_refused() {
            Path dir = tmp.resolve("d");

            Cli.Run run = Cli.run("demo", "--data", dir.toString(), "--postgres", "jdbc:postgresql://localhost:1/none");

            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).startsWith("give --data DIR or --postgres JDBC_URL, not both\n");
            assertThat(dir).doesNotExist();
        }

        @Test
        void the_demo_options_before_a_subcommand_are_refused_rather_than_ignored() {
            Cli.Run run = Cli.run("--data", demoStore, "read");

            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).startsWith("--data before the subcommand read is an option of the demo; "
                    + "give the options of read after it (rewind-orders read --data DIR ...)\n");
        }
    }

    @Test
    void without_a_subcommand_the_demo_runs_with_the_demo_options() throws Exception {
        Path dir = tmp.resolve("no-subcommand");

        Cli.Run run = Cli.run("--data", dir.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.json()).isEqualTo(Json.MAPPER.readTree(DemoTest.EXPECTED));
        assertThat(Cli.run("stats", "--data", dir.toString()).json().get("events").asLong()).isEqualTo(8);
        assertThat(Cli.run("--data", dir.toString()).exitCode()).as("not empty, no --reset").isEqualTo(1);
        assertThat(Cli.run("--data", dir.toString(), "--reset").out()).isEqualTo(run.out());
    }
}
