package dev.rewind.scan.app.upcasting;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rewind.annotation.Upcaster;
import dev.rewind.spi.EventUpcaster;

/** Found by scanning: {@code who} became {@code name}. */
@Upcaster(type = "Greeted", from = 1)
public class GreetedV1ToV2 implements EventUpcaster {
    @Override
    public ObjectNode upcast(ObjectNode json) {
        return json.set("name", json.remove("who"));
    }
}
