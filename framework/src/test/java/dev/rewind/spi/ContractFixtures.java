package dev.rewind.spi;

import dev.rewind.Rewind;
import dev.rewind.annotation.Event;

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

    /** @return a builder with the fixture types registered */
    public static Rewind.Builder builder() {
        return Rewind.builder().eventTypes(Placed.class, Added.class);
    }
}
