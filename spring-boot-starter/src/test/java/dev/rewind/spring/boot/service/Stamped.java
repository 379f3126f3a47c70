package dev.rewind.spring.boot.service;

import dev.rewind.annotation.Event;

/**
 * @param ticketId the ticket
 * @param by who stamped it, as the service's injected dependency says
 */
@Event(name = "Stamped")
public record Stamped(String ticketId, String by) {
}
