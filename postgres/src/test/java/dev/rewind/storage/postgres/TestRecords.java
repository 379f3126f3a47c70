package dev.rewind.storage.postgres;

import dev.rewind.Metadata;
import dev.rewind.spi.storage.SerializedEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Serialised events for the storage-level tests. */
final class TestRecords {
    private TestRecords() {
    }

    /** @return {@code n} events with fresh ids and a small JSON payload naming {@code label} */
    static List<SerializedEvent> batch(int n, String label) {
        List<SerializedEvent> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] json = ("{\"label\":\"" + label + "\",\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8);
            out.add(new SerializedEvent(UUID.randomUUID(), "Noted", 1, json,
                    Metadata.correlatedBy(label).with("i", Integer.toString(i))));
        }
        return out;
    }
}
