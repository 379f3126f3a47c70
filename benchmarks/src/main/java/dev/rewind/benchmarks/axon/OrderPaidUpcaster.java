package dev.rewind.benchmarks.axon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rewind.benchmarks.workload.OrderPaid;
import org.axonframework.serialization.SimpleSerializedType;
import org.axonframework.serialization.upcasting.event.IntermediateEventRepresentation;
import org.axonframework.serialization.upcasting.event.SingleEventUpcaster;

/** OrderPaid revision 1 to 2: adds {@code "currency": "USD"}, as Axon's documentation shows. */
final class OrderPaidUpcaster extends SingleEventUpcaster {
    private static final SimpleSerializedType V1 = new SimpleSerializedType(OrderPaid.class.getName(), "1");
    private static final SimpleSerializedType V2 = new SimpleSerializedType(OrderPaid.class.getName(), "2");

    @Override
    protected boolean canUpcast(IntermediateEventRepresentation representation) {
        return representation.getType().equals(V1);
    }

    @Override
    protected IntermediateEventRepresentation doUpcast(IntermediateEventRepresentation representation) {
        return representation.upcastPayload(V2, JsonNode.class, node -> ((ObjectNode) node).put("currency", "USD"));
    }
}
