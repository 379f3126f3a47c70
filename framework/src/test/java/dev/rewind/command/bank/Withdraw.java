package dev.rewind.command.bank;

import dev.rewind.annotation.TargetAggregateId;

/** A test command. */
public record Withdraw(@TargetAggregateId String accountId, long amount) {
}
