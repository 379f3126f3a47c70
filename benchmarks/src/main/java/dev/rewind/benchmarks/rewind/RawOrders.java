package dev.rewind.benchmarks.rewind;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rewind.Metadata;
import dev.rewind.RawEvent;
import dev.rewind.benchmarks.workload.OrderPaid;
import dev.rewind.benchmarks.workload.OrderPaidV1;
import dev.rewind.benchmarks.workload.Workload.Order;
import dev.rewind.serialization.JacksonEventSerializer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** An order's events in stored form, with {@code OrderPaid} written at schema version 1 (no currency). */
final class RawOrders {
    private static final ObjectMapper MAPPER = JacksonEventSerializer.defaultMapper();

    private RawOrders() {
    }

    static List<RawEvent> withV1(Order o) {
        List<RawEvent> raw = new ArrayList<>(o.events().size());
        for (Object e : o.events()) {
            try {
                if (e instanceof OrderPaid p) {
                    raw.add(new RawEvent(UUID.randomUUID(), "OrderPaid", 1,
                            MAPPER.writeValueAsBytes(new OrderPaidV1(p.orderId(), p.amountCents())), Metadata.EMPTY));
                } else {
                    String type = e.getClass().getAnnotation(dev.rewind.annotation.Event.class).name();
                    raw.add(new RawEvent(UUID.randomUUID(), type, 1, MAPPER.writeValueAsBytes(e), Metadata.EMPTY));
                }
            } catch (JsonProcessingException x) {
                throw new IllegalStateException(x);
            }
        }
        return raw;
    }
}
