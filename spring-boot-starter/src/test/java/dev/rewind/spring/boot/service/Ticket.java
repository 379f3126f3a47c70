package dev.rewind.spring.boot.service;

import dev.rewind.annotation.Aggregate;
import dev.rewind.annotation.EventSourcingHandler;

/** A ticket is stamped once; its rule lives on {@link StampingService}. */
@Aggregate(streamPrefix = "ticket-")
public class Ticket {
    private boolean stamped;

    Ticket() {
    }

    @EventSourcingHandler
    void on(Stamped e) {
        stamped = true;
    }

    boolean isStamped() {
        return stamped;
    }
}
