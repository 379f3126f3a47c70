package dev.rewind.spring.boot.service;

import dev.rewind.annotation.CommandHandler;

/** A command handler on a Spring bean, with a dependency Spring injects through its constructor. */
public class StampingService {
    private final String clerk;

    /** @param clerk who stamps, a bean of the application */
    public StampingService(String clerk) {
        this.clerk = clerk;
    }

    @CommandHandler
    Stamped handle(StampTicket c, Ticket ticket) {
        if (ticket.isStamped()) {
            throw new IllegalStateException("ticket " + c.ticketId() + " is stamped already");
        }
        return new Stamped(c.ticketId(), clerk);
    }
}
