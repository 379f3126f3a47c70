package dev.rewind.example.orders.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The web app started in this JVM on a free port, as {@code java -jar} starts it (same main class,
 * same {@code application.properties}), with the test's properties on top; and an HTTP client for it.
 */
final class RunningApp implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private final ConfigurableApplicationContext context;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    final URI base;

    private RunningApp(ConfigurableApplicationContext context) {
        this.context = context;
        int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
        this.base = URI.create("http://127.0.0.1:" + port);
    }

    /**
     * @param extraSources configuration classes added to the app's own
     * @param properties name=value pairs over application.properties
     */
    static RunningApp start(List<Class<?>> extraSources, String... properties) {
        List<Class<?>> sources = new ArrayList<>(List.of(OrdersWebApp.class));
        sources.addAll(extraSources);
        // a free port, and the tests' quiet logging instead of the server's
        List<String> all = new ArrayList<>(List.of("server.port=0", "logging.config=classpath:logback-test.xml"));
        all.addAll(List.of(properties));
        // as command-line arguments, which win over application.properties (builder properties would not)
        return new RunningApp(new SpringApplicationBuilder(sources.toArray(Class<?>[]::new))
                .run(all.stream().map(p -> "--" + p).toArray(String[]::new)));
    }

    static RunningApp start(String... properties) {
        return start(List.of(), properties);
    }

    <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    String property(String name) {
        return context.getEnvironment().getProperty(name);
    }

    /** A response: its status, headers and body (parsed when it is JSON). */
    record Response(int status, HttpResponse<String> raw) {
        JsonNode json() {
            try {
                return JSON.readTree(raw.body());
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON (status " + status + "): " + raw.body(), e);
            }
        }

        /** The problem's detail, for a refusal. */
        String detail() {
            return json().path("detail").asText();
        }
    }

    Response get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    Response post(String path, String json, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b);
    }

    Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        context.close();
    }
}
