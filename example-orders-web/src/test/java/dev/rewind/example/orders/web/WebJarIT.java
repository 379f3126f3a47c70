package dev.rewind.example.orders.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rewind.storage.file.FileStorage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged app as a user starts it, {@code java -jar target/rewind-orders-web.jar}, in a child JVM
 * (after {@code package}): Rewind's scan finds example-orders' classes inside the Spring Boot jar, the
 * demo story lands in a file store, and a stop (SIGTERM) closes the store, releasing its lock.
 */
class WebJarIT {
    private static final Pattern STARTED = Pattern.compile("Tomcat started on port (\\d+)");

    @Test
    void the_jar_runs_on_the_file_store_and_closes_it_when_stopped(@TempDir Path tmp) throws Exception {
        Path jar = Path.of(System.getProperty("rewind.orders.web.jar", "target/rewind-orders-web.jar"));
        assertThat(jar).as("the packaged app (run after mvn package)").exists();
        Path data = tmp.resolve("data");
        Process app = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toAbsolutePath().toString(), "--server.port=0", "--rewind.storage=file:" + data,
                "--orders.demo=true")
                .directory(tmp.toFile()).redirectErrorStream(true).start();
        List<String> output = new CopyOnWriteArrayList<>();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    output.add(line);
                    Matcher m = STARTED.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (java.io.IOException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new IllegalStateException("the app stopped before it listened"));
        }, "web-jar-output");
        reader.setDaemon(true);
        reader.start();
        try {
            int p = port.get(120, TimeUnit.SECONDS);
            HttpClient http = HttpClient.newHttpClient();
            URI base = URI.create("http://127.0.0.1:" + p);

            HttpResponse<String> state = http.send(HttpRequest.newBuilder(
                    base.resolve("/api/projections/order_totals?at=2024-05-01T15:00:00Z")).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode orders = new ObjectMapper().readTree(state.body()).get("state");
            assertThat(orders.get("1001").get("status").asText()).isEqualTo("PAID");
            assertThat(orders.get("1002").get("status").asText()).isEqualTo("PAID");

            HttpResponse<String> page = http.send(HttpRequest.newBuilder(base.resolve("/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<script src=\"timeline.js\" defer></script>");
            assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                    csp -> assertThat(csp).contains("script-src 'self'"));
        } catch (Exception | AssertionError e) {
            throw new AssertionError("the app's output:\n" + String.join("\n", output), e);
        } finally {
            app.destroy(); // SIGTERM: Spring closes the context, which closes Rewind and its store
            assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("the app stops within a minute").isTrue();
        }
        // the writer's lock is released and the demo's eight events are there
        try (FileStorage store = FileStorage.openReadOnly(data)) {
            assertThat(store.nextPosition()).isEqualTo(8);
        }
        assertThat(Files.exists(tmp.resolve("orders-web-data"))).as("the default store, unused").isFalse();
    }
}
