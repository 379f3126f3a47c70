package dev.rewind.example.orders.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command line as the README documents it, through the real jar in child JVMs: {@code --help} on
 * every subcommand, one rule for option values (what cannot be parsed or is out of range is a usage
 * error, exit 2, naming the option), and the demo's options without a subcommand.
 */
class CliJarIT {
    @TempDir
    static Path shared;
    static Path work;
    static Path outputs;

    @BeforeAll
    static void writeTheDemoStore() throws Exception {
        work = Files.createDirectories(shared.resolve("work"));
        outputs = shared.resolve("outputs");
        Cli.Run demo = Jar.run(work, outputs, "demo", "--data", "store");
        assertThat(demo.exitCode()).as(demo.err()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo", "append", "read", "replay", "events", "state", "projections", "verify", "stats"})
    void every_subcommand_prints_its_help_and_exits_0(String subcommand) {
        Cli.Run run = Jar.run(work, outputs, subcommand, "--help");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).startsWith("Usage: rewind-orders " + subcommand + " ").contains("-h, --help");
    }

    @Test
    void the_top_command_lists_the_subcommands_and_the_demo_options() {
        Cli.Run run = Jar.run(work, outputs, "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--data=DIR", "--reset", "--postgres=JDBC_URL", "  read ", "  verify ");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "read --data store --limit -1                     | --limit            | must be 0 or more, was -1",
        "read --data store --limit ten                    | --limit            | 'ten' is not a whole number",
        "read --data store --from -1                      | --from             | must be 0 or more, was -1",
        "read order-1001 --data store --from -3           | --from             | must be 0 or more, was -3",
        "state order_totals --data store --position -2    | --position         | must be -1 (before the first event) or a position 0 or more, was -2",
        "state order_totals --data store --at yesterday   | --at               | 'yesterday'",
        "events --data store --from 2024-05-01            | --from             | '2024-05-01'",
        "replay --data store --from 42                    | --from             | '42'",
        "append --data store --stream s --type OrderPlaced --expected-version latest {} | --expected-version | must be any, no-stream or a version 0 or more, was 'latest'",
        "append --data store --stream s --type OrderPlaced --expected-version -1 {}     | --expected-version | must be any, no-stream or a version 0 or more, was '-1'",
        "append --data store --stream s --type OrderPlaced --event-id 42 {}             | --event-id         | '42'",
        "append --data store --stream s --type OrderPlaced --schema-version 0 {}        | --schema-version   | must be a schema version 1 or more, was 0",
        "demo --postgres jdbc:postgresql://localhost:1/x --pg-schema Bad-Name           | --pg-schema        | must be a lower-case SQL name",
    })
    void a_value_that_cannot_be_parsed_or_is_out_of_range_is_a_usage_error_naming_the_option(
            String args, String option, String problem) {
        Cli.Run run = Jar.run(work, outputs, args.strip().split(" +"));

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("Invalid value for option '" + option + "': ").contains(problem)
                .contains("Usage: rewind-orders ");
    }

    @Test
    void a_store_error_is_not_a_usage_error() {
        Cli.Run run = Jar.run(work, outputs, "state", "nope", "--data", "store");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("error: no projection 'nope' (known: order_totals, revenue_by_currency, user_activity)\n");
    }

    @Test
    void without_a_subcommand_data_dir_runs_the_demo_there() throws Exception {
        Cli.Run run = Jar.run(work, outputs, "--data", "elsewhere");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(Json.MAPPER.readTree(run.out())).isEqualTo(Json.MAPPER.readTree(DemoTest.EXPECTED));
        assertThat(work.resolve("elsewhere")).isDirectory();
        assertThat(work.resolve("demo-data")).doesNotExist();

        Cli.Run again = Jar.run(work, outputs, "--data", "elsewhere");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).startsWith("error: " + work.resolve("elsewhere").toRealPath() + " holds a Rewind store: give --reset");

        Cli.Run reset = Jar.run(work, outputs, "--data", "elsewhere", "--reset");
        assertThat(reset.exitCode()).as(reset.err()).isZero();
        assertThat(reset.out()).isEqualTo(run.out());
    }

    @Test
    void demo_options_before_a_subcommand_are_a_usage_error() {
        Cli.Run run = Jar.run(work, outputs, "--data", "store", "stats");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("--data before the subcommand stats is an option of the demo");
    }
}
