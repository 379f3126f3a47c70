package dev.rewind;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Immutable metadata stored with an event: a correlation id, a causation id and free key/values.
 *
 * <p>The values map is copied on construction and cannot be changed through this object.
 *
 * @param correlationId the id shared by everything caused by one original request, or {@code null}
 * @param causationId the id of the message (command or event) that caused this event, or {@code null}
 * @param values free key/values (user, tenant, ...); never {@code null}, unmodifiable, sorted by key
 */
public record Metadata(String correlationId, String causationId, Map<String, String> values) {

    /** Metadata with no ids and no values. */
    public static final Metadata EMPTY = new Metadata(null, null, Map.of());

    /** Copies {@code values} into an unmodifiable sorted map; {@code null} values mean none. */
    public Metadata {
        if (values == null || values.isEmpty()) {
            values = Map.of();
        } else {
            values.forEach((k, v) -> {
                Objects.requireNonNull(k, "metadata key");
                Objects.requireNonNull(v, () -> "metadata value of key " + k);
            });
            values = java.util.Collections.unmodifiableMap(new TreeMap<>(values));
        }
    }

    /** @return metadata with only a correlation id */
    public static Metadata correlatedBy(String correlationId) {
        return new Metadata(correlationId, null, Map.of());
    }

    /** @return a copy with the given correlation id */
    public Metadata withCorrelationId(String id) {
        return new Metadata(id, causationId, values);
    }

    /** @return a copy with the given causation id */
    public Metadata withCausationId(String id) {
        return new Metadata(correlationId, id, values);
    }

    /** @return a copy with one more key/value (replacing an existing key) */
    public Metadata with(String key, String value) {
        Map<String, String> copy = new TreeMap<>(values);
        copy.put(key, value);
        return new Metadata(correlationId, causationId, copy);
    }

    /** @return true when there are no ids and no values */
    public boolean isEmpty() {
        return correlationId == null && causationId == null && values.isEmpty();
    }
}
