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

    /**
     * Copies {@code values} into an unmodifiable sorted map; {@code null} values mean none.
     *
     * @param correlationId the id shared by everything caused by one original request, or {@code null}
     * @param causationId the id of the message (command or event) that caused this event, or {@code null}
     * @param values free key/values (user, tenant, ...); never {@code null}, unmodifiable, sorted by key
     */
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

    /**
     * @param correlationId the correlation id
     * @return metadata with only a correlation id
     */
    public static Metadata correlatedBy(String correlationId) {
        return new Metadata(correlationId, null, Map.of());
    }

    /**
     * @param id the correlation id
     * @return a copy with it
     */
    public Metadata withCorrelationId(String id) {
        return new Metadata(id, causationId, values);
    }

    /**
     * @param id the causation id
     * @return a copy with it
     */
    public Metadata withCausationId(String id) {
        return new Metadata(correlationId, id, values);
    }

    /**
     * @param key a key
     * @param value its value
     * @return a copy with one more key/value (replacing an existing key)
     */
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
