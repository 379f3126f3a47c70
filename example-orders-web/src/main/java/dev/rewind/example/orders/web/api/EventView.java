package dev.rewind.example.orders.web.api;

import dev.rewind.Metadata;
import dev.rewind.StoredEvent;
import java.util.List;
import java.util.Map;

/**
 * A stored event as the API shows it: every field of {@link StoredEvent}, the instant as ISO-8601 text.
 * The payload is the event record, written by the web layer's JSON mapper (for the order events, the
 * same fields the store holds).
 *
 * @param eventId unique in the store
 * @param streamId its stream, for example {@code order-1001}
 * @param streamVersion its place in the stream, from 0
 * @param globalPosition its place in the store, from 0
 * @param type the event type's name, for example {@code OrderPaid}
 * @param schemaVersion the schema version it was stored at (the payload is at the current one)
 * @param recordedAt when the store recorded it, ISO-8601 in UTC
 * @param payload the event
 * @param metadata correlation id, causation id and free values
 */
public record EventView(String eventId, String streamId, long streamVersion, long globalPosition, String type,
                        int schemaVersion, String recordedAt, Object payload, MetadataView metadata) {

    /**
     * @param correlationId shared by everything one request caused, or null
     * @param causationId the command (or event) that caused it, or null
     * @param values free key/values
     */
    public record MetadataView(String correlationId, String causationId, Map<String, String> values) {
        static MetadataView of(Metadata m) {
            return new MetadataView(m.correlationId(), m.causationId(), m.values());
        }
    }

    /**
     * @param e a stored event
     * @return its view
     */
    public static EventView of(StoredEvent<?> e) {
        return new EventView(e.eventId().toString(), e.streamId(), e.streamVersion(), e.globalPosition(), e.type(),
                e.schemaVersion(), e.recordedAt().toString(), e.payload(), MetadataView.of(e.metadata()));
    }

    /**
     * @param events stored events
     * @return their views, in order
     */
    public static List<EventView> of(List<StoredEvent<?>> events) {
        return events.stream().map(EventView::of).toList();
    }
}
