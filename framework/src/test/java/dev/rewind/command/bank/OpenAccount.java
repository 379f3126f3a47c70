package dev.rewind.command.bank;

import dev.rewind.annotation.TargetAggregateId;

/** A test command. */
public record OpenAccount(@TargetAggregateId String accountId, String owner) {
}
