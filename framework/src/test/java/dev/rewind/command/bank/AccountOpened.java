package dev.rewind.command.bank;

import dev.rewind.annotation.Event;

/** A test event. */
@Event(name = "AccountOpened", version = 1)
public record AccountOpened(String accountId, String owner) implements AccountEvent {
}
