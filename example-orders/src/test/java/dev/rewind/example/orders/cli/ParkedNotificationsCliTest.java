package dev.rewind.example.orders.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failure policy end to end through the CLI: with the outbox down, the demo's shipping notification
 * is retried, then parked; an event of the same stream appended later waits behind it; {@code parked}
 * lists them, {@code retry} sends them in their stream's order once the outbox is back, {@code skip}
 * gives one up; every decision is recorded with its time and reason; {@code status} and {@code verify}
 * show the runtime.
 */
class ParkedNotificationsCliTest {
    @TempDir
    Path tmp;

    private static List<String> decisions(JsonNode doc) {
        List<String> out = new ArrayList<>();
        doc.get("decisions").forEach(d -> out.add(d.get("decision").asText() + "@" + d.get("position").asLong() + ":"
                + d.get("reason").asText().replaceAll(":.*", "")));
        return out;
    }

    @Test
    void retried_then_parked_listed_retried_in_stream_order_and_skipped_each_decision_recorded() throws Exception {
        String store = tmp.resolve("store").toString();
        Path outbox = tmp.resolve("outbox");
        String down = outbox.toString(); // not created yet: the "mail service" is down

        Cli.Run demo = Cli.run("demo", "--data", store, "--outbox", down);
        assertThat(demo.exitCode()).as(demo.err()).isZero();
        assertThat(demo.json()).isEqualTo(Json.MAPPER.readTree(DemoTest.EXPECTED));

        JsonNode parked = Cli.run("parked", "shipping_notifications", "--data", store).json();
        assertThat(parked.get("parked")).hasSize(1);
        JsonNode first = parked.get("parked").get(0);
        assertThat(first.get("position").asLong()).isEqualTo(6);
        assertThat(first.get("stream").asText()).isEqualTo("order-1001");
        assertThat(first.get("attempts").asInt()).isEqualTo(3);
        assertThat(first.get("error").asText()).contains("the outbox " + down + " is unavailable");
        assertThat(decisions(parked)).containsExactly("parked@6:java.lang.IllegalStateException");

        Cli.Run again = Cli.run("append", "--data", store, "--outbox", down, "--stream", "order-1001", "--type",
                "OrderShipped", "{\"orderId\":\"1001\",\"carrier\":\"UPS\"}");
        assertThat(again.exitCode()).as(again.err()).isZero();
        Cli.Run other = Cli.run("append", "--data", store, "--outbox", down, "--stream", "order-1002", "--type",
                "OrderShipped", "{\"orderId\":\"1002\",\"carrier\":\"DHL\"}");
        assertThat(other.exitCode()).as(other.err()).isZero();
        parked = Cli.run("parked", "shipping_notifications", "--data", store).json();
        assertThat(parked.get("parked")).extracting(p -> p.get("position").asLong() + "/" + p.path("behind").asLong(-1))
                .containsExactly("6/-1", "8/6", "9/-1");

        JsonNode status = Cli.run("status", "shipping_notifications", "--data", store).json().get("shipping_notifications");
        assertThat(status.get("kind").asText()).isEqualTo("processor");
        assertThat(status.get("parked").asInt()).isEqualTo(3);
        assertThat(status.get("state").asText()).as("a processor does not run on a read-only store").isEqualTo("stopped");
        assertThat(status.get("checkpoint").asLong()).isEqualTo(9);

        Files.createDirectories(outbox);
        Cli.Run retry = Cli.run("retry", "shipping_notifications", "--data", store, "--outbox", down,
                "--stream", "order-1001", "--reason", "outbox back");
        assertThat(retry.exitCode()).as(retry.err()).isZero();
        assertThat(retry.json().get("parked")).extracting(p -> p.get("position").asLong()).containsExactly(9L);
        List<String> sent = Files.readAllLines(outbox.resolve("notifications.jsonl"));
        assertThat(sent).as("the stream's notifications in its order").hasSize(2);
        assertThat(sent.get(0)).contains("\"order\":\"1001\"", "\"shipped_by\":\"DHL\"");
        assertThat(sent.get(1)).contains("\"order\":\"1001\"", "\"shipped_by\":\"UPS\"");

        Cli.Run skip = Cli.run("skip", "shipping_notifications", "--data", store, "--position", "9",
                "--reason", "order 1002 was cancelled, never shipped");
        assertThat(skip.exitCode()).as(skip.err()).isZero();
        JsonNode after = Cli.run("parked", "shipping_notifications", "--data", store).json();
        assertThat(after.get("parked")).isEmpty();
        assertThat(decisions(after)).containsExactly("parked@6:java.lang.IllegalStateException",
                "parked@9:java.lang.IllegalStateException", "retried@6:outbox back", "retried@8:outbox back",
                "skipped@9:order 1002 was cancelled, never shipped");
        after.get("decisions").forEach(d -> assertThat(d.get("at").asText()).isNotBlank());
        assertThat(Files.readAllLines(outbox.resolve("notifications.jsonl"))).hasSize(2);

        Cli.Run verify = Cli.run("verify", "--data", store);
        assertThat(verify.exitCode()).as(verify.err()).isZero();
        assertThat(verify.json().get("projections")).extracting(p -> p.get("name").asText() + ":" + p.get("ok").asBoolean())
                .containsExactlyInAnyOrder("order_totals:true", "revenue_by_currency:true", "user_activity:true",
                        "shipping_notifications:true");
    }

    @Test
    void a_retry_of_a_stream_with_nothing_parked_is_an_error_naming_the_streams_that_have() {
        String store = tmp.resolve("store").toString();
        assertThat(Cli.run("demo", "--data", store, "--outbox", tmp.resolve("missing").toString()).exitCode()).isZero();

        Cli.Run run = Cli.run("retry", "shipping_notifications", "--data", store, "--stream", "order-1002",
                "--reason", "why not");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("error: processor 'shipping_notifications' has no parked event in stream"
                + " 'order-1002'; streams with parked events: [order-1001]\n");
        Cli.Run unknown = Cli.run("parked", "nope", "--data", store);
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).startsWith("error: no projection or processor 'nope' (known: order_totals, "
                + "revenue_by_currency, shipping_notifications, user_activity)");
    }

    @Test
    void the_runtime_subcommands_have_help_and_are_listed() {
        Cli.Run top = Cli.run("--help");
        for (String c : List.of("status", "parked", "retry", "skip")) {
            assertThat(top.out()).contains("  " + c + " ");
            Cli.Run help = Cli.run(c, "--help");
            assertThat(help.exitCode()).as(c + " --help: " + help.err()).isZero();
            assertThat(help.out()).startsWith("Usage: rewind-orders " + c + " ").contains("--data=DIR", "--outbox=DIR");
        }
        Cli.Run missing = Cli.run("retry", "shipping_notifications", "--data", tmp.resolve("none").toString(),
                "--stream", "s", "--reason", "r");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).startsWith("error: no Rewind store in ");
        assertThat(tmp.resolve("none")).as("retry never creates a store").doesNotExist();
    }
}
