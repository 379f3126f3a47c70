package dev.rewind.test.meter;

import dev.rewind.annotation.Aggregate;
import dev.rewind.annotation.CommandHandler;
import dev.rewind.annotation.EventSourcingHandler;

/** An aggregate whose event has an old schema version, with its upcaster in the same package. */
@Aggregate(streamPrefix = "meter-")
public class Meter {
    private long total;

    Meter() {
    }

    @CommandHandler
    Metered handle(Read command) {
        return new Metered(command.meterId(), command.amount(), "kWh");
    }

    @EventSourcingHandler
    void on(Metered event) {
        total += event.amount();
    }

    /** @return the sum of the readings */
    public long total() {
        return total;
    }
}
