package dev.rewind.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The metadata an IDE completes {@code rewind.*} properties from: every property of
 * {@link RewindProperties} is listed with a description (and its default where it has one), and the
 * storage URL comes with its schemes as hints.
 */
class ConfigurationMetadataTest {

    private static JsonNode metadata() throws IOException {
        try (InputStream in = RewindProperties.class.getClassLoader()
                .getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("the configuration processor's output on the class path").isNotNull();
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void every_property_is_described_for_completion() throws IOException {
        Map<String, JsonNode> properties = new HashMap<>();
        metadata().get("properties").forEach(p -> properties.put(p.get("name").asText(), p));

        assertThat(properties).containsOnlyKeys("rewind.storage", "rewind.scan-packages", "rewind.discover-plugins",
                "rewind.command-attempts", "rewind.health.max-lag-events", "management.health.rewind.enabled",
                "management.endpoint.rewindprojections.access",
                "management.endpoint.rewindprojections.cache.time-to-live", "rewind.projections.named",
                "rewind.projections.defaults.mode", "rewind.projections.defaults.batch-size",
                "rewind.projections.defaults.linger", "rewind.projections.defaults.placement",
                "rewind.projections.defaults.snapshot-every-events", "rewind.projections.defaults.snapshot-every-time",
                "rewind.projections.defaults.history-every-events", "rewind.projections.defaults.history-every-time",
                "rewind.projections.defaults.history-max-count", "rewind.projections.defaults.history-max-bytes",
                "rewind.projections.defaults.failure.max-attempts", "rewind.projections.defaults.failure.first-delay",
                "rewind.projections.defaults.failure.max-delay", "rewind.projections.defaults.failure.then");
        properties.forEach((name, p) -> assertThat(p.path("description").asText()).as(name).isNotBlank());
        assertThat(properties.get("rewind.discover-plugins").get("defaultValue").asBoolean()).isTrue();
        assertThat(properties.get("rewind.command-attempts").get("defaultValue").asInt()).isEqualTo(3);
        assertThat(properties.get("rewind.health.max-lag-events").get("defaultValue").asLong()).isEqualTo(10_000);
        assertThat(properties.get("rewind.projections.defaults.mode").get("type").asText())
                .as("an enum: the IDE offers SYNC and ASYNC").isEqualTo("dev.rewind.projection.ProjectionSettings$Mode");
    }

    @Test
    void the_storage_url_offers_each_scheme() throws IOException {
        JsonNode hints = metadata().get("hints");
        assertThat(hints).isNotNull();
        JsonNode storage = null;
        for (JsonNode h : hints) {
            if ("rewind.storage".equals(h.get("name").asText())) {
                storage = h;
            }
        }
        assertThat(storage).as("hints for rewind.storage").isNotNull();
        assertThat(storage.get("values")).extracting(v -> v.get("value").asText())
                .anySatisfy(v -> assertThat(v).startsWith("file:"))
                .contains("memory:")
                .anySatisfy(v -> assertThat(v).startsWith("jdbc:postgresql:"));
    }
}
