package dev.rewind.command.bank;

import dev.rewind.annotation.TargetAggregateId;

/** A test command. */
public record Deposit(@TargetAggregateId String accountId, long amount) {
}
