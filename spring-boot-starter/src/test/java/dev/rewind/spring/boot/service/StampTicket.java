package dev.rewind.spring.boot.service;

import dev.rewind.annotation.TargetAggregateId;

/** @param ticketId the ticket to stamp */
public record StampTicket(@TargetAggregateId String ticketId) {
}
