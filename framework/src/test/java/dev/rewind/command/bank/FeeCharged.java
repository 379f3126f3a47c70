package dev.rewind.command.bank;

import dev.rewind.annotation.Event;

/** A test event. */
@Event(name = "FeeCharged", version = 1)
public record FeeCharged(String accountId, long amount) implements AccountEvent {
}
