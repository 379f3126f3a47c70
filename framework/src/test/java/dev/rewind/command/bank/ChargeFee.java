package dev.rewind.command.bank;

import dev.rewind.annotation.TargetAggregateId;

/** A test command. */
public record ChargeFee(@TargetAggregateId String accountId, String reason) {
}
