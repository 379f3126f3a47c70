package dev.rewind.command.bank;

/** The events of the test aggregate {@link Account}. */
public sealed interface AccountEvent permits AccountOpened, MoneyDeposited, MoneyWithdrawn, FeeCharged {
    /** @return the account */
    String accountId();
}
