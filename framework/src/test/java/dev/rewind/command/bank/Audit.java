package dev.rewind.command.bank;

import dev.rewind.annotation.TargetAggregateId;

/** A test command. */
public record Audit(@TargetAggregateId String accountId, String note) {
}
