package dev.rewind.command.bank;

import dev.rewind.annotation.Aggregate;
import dev.rewind.annotation.CommandHandler;
import dev.rewind.annotation.EventSourcingHandler;
import java.util.ArrayList;
import java.util.List;

/** The test aggregate: a bank account with a few real rules. */
@Aggregate(streamPrefix = "account-")
public class Account {
    private boolean open;
    private String owner;
    private long balance;
    private final List<Entry> history = new ArrayList<>();

    /** One line of the account's history. @param kind what happened @param amount how much */
    public record Entry(String kind, long amount) {
    }

    private Account() {
    }

    @CommandHandler
    AccountOpened handle(OpenAccount command) {
        if (open) {
            throw new AccountRuleViolation("account " + command.accountId() + " is already open");
        }
        return new AccountOpened(command.accountId(), command.owner());
    }

    @CommandHandler
    List<AccountEvent> handle(Deposit command) {
        requireOpen(command.accountId());
        if (command.amount() <= 0) {
            throw new AccountRuleViolation("a deposit must be positive, was " + command.amount());
        }
        if (command.amount() >= 1_000) { // a bonus for large deposits: two events from one command
            return List.of(new MoneyDeposited(command.accountId(), command.amount()),
                    new MoneyDeposited(command.accountId(), command.amount() / 100));
        }
        return List.of(new MoneyDeposited(command.accountId(), command.amount()));
    }

    @CommandHandler
    MoneyWithdrawn handle(Withdraw command) {
        requireOpen(command.accountId());
        if (command.amount() > balance) {
            throw new InsufficientFunds("account " + command.accountId() + " has " + balance
                    + ", cannot withdraw " + command.amount());
        }
        return new MoneyWithdrawn(command.accountId(), command.amount());
    }

    @CommandHandler
    void handle(Audit command) {
        requireOpen(command.accountId()); // decides that nothing changes
    }

    private void requireOpen(String accountId) {
        if (!open) {
            throw new AccountRuleViolation("account " + accountId + " is not open");
        }
    }

    @EventSourcingHandler
    void on(AccountOpened event) {
        open = true;
        owner = event.owner();
    }

    @EventSourcingHandler
    void on(MoneyDeposited event) {
        balance += event.amount();
        history.add(new Entry("deposit", event.amount()));
    }

    @EventSourcingHandler
    void on(MoneyWithdrawn event) {
        balance -= event.amount();
        history.add(new Entry("withdrawal", event.amount()));
    }

    @EventSourcingHandler
    void on(FeeCharged event) {
        balance -= event.amount();
        history.add(new Entry("fee", event.amount()));
    }

    /** @return whether it was opened */
    public boolean isOpen() {
        return open;
    }

    /** @return its owner */
    public String owner() {
        return owner;
    }

    /** @return its balance */
    public long balance() {
        return balance;
    }

    /** @return its history */
    public List<Entry> history() {
        return List.copyOf(history);
    }
}
