package dev.rewind.spi.factory;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rewind.annotation.Upcaster;
import dev.rewind.spi.EventUpcaster;

/** Found by scanning, and created by the test's factory: its default author comes through the constructor. */
@Upcaster(type = "FactoryNoted", from = 1)
public class NotedV1ToV2 implements EventUpcaster {
    private final String defaultAuthor;

    /** @param defaultAuthor the author of version 1 notes, which had none */
    public NotedV1ToV2(String defaultAuthor) {
        this.defaultAuthor = defaultAuthor;
    }

    @Override
    public ObjectNode upcast(ObjectNode json) {
        return json.put("author", defaultAuthor);
    }
}
