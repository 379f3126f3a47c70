package dev.rewind.command.bank;

import dev.rewind.annotation.Event;

/** A test event. */
@Event(name = "MoneyDeposited", version = 1)
public record MoneyDeposited(String accountId, long amount) implements AccountEvent {
}
