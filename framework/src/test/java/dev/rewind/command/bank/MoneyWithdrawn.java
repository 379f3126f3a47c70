package dev.rewind.command.bank;

import dev.rewind.annotation.Event;

/** A test event. */
@Event(name = "MoneyWithdrawn", version = 1)
public record MoneyWithdrawn(String accountId, long amount) implements AccountEvent {
}
