package dev.rewind.command.bank;

/** A withdrawal larger than the balance. */
public class InsufficientFunds extends AccountRuleViolation {
    private static final long serialVersionUID = 1L;

    /** @param message the account, its balance and the amount */
    public InsufficientFunds(String message) {
        super(message);
    }
}
