package dev.rewind.spi.storage.contract;

import dev.rewind.Rewind;
import dev.rewind.annotation.Event;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/** Event types and a configured builder shared by the contract suite. */
public final class ContractFixtures {
    private ContractFixtures() {
    }

    /** A first event of a stream. */
    @Event(name = "Placed", version = 1)
    public record Placed(String id, int quantity) {
    }

    /** A later event of a stream. */
    @Event(name = "Added", version = 1)
    public record Added(String id, String sku, long cents) {
    }

    /**
     * An event at schema version 2; version 1 had no carrier, and its upcaster fills in "unknown".
     *
     * @param id the order
     * @param carrier who ships it
     */
    @Event(name = "Shipped", version = 2)
    public record Shipped(String id, String carrier) {
    }

    /** An event with {@code java.time} fields. */
    @Event(name = "Scheduled", version = 1)
    public record Scheduled(String id, Instant at, LocalDate day, Duration window) {
    }

    /** An event holding a list: whatever list the caller passes, the store must not share it. */
    @Event(name = "Tagged", version = 1)
    public record Tagged(String id, List<String> tags) {
    }

    /** Annotated but never registered in {@link #builder()}. */
    @Event(name = "NotRegistered", version = 1)
    public record NotRegistered(String id) {
    }

    /** @return a builder with the fixture types (all but {@link NotRegistered}) and the Shipped upcaster */
    public static Rewind.Builder builder() {
        return Rewind.builder()
                .eventTypes(Placed.class, Added.class, Shipped.class, Scheduled.class, Tagged.class)
                .upcaster("Shipped", 1, json -> json.put("carrier", "unknown"));
    }
}
