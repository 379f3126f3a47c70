package dev.rewind.test.meter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rewind.annotation.Upcaster;
import dev.rewind.spi.EventUpcaster;

/** Found by scanning: a version 1 reading was in kWh, the only unit then. */
@Upcaster(type = "Metered", from = 1)
public class MeteredV1ToV2 implements EventUpcaster {
    @Override
    public ObjectNode upcast(ObjectNode json) {
        return json.put("unit", "kWh");
    }
}
