package dev.rewind.command.bank;

import dev.rewind.annotation.CommandHandler;

/** A command handler on a service: it has its own dependency (the fee) and receives the loaded account. */
public class FeeService {
    private final long fee;

    /** @param fee the fee it charges */
    public FeeService(long fee) {
        this.fee = fee;
    }

    @CommandHandler
    FeeCharged handle(ChargeFee command, Account account) {
        if (!account.isOpen()) {
            throw new AccountRuleViolation("account " + command.accountId() + " is not open");
        }
        return new FeeCharged(command.accountId(), Math.min(fee, account.balance()));
    }
}
