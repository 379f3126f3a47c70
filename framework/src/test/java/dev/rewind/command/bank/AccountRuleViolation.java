package dev.rewind.command.bank;

/** A business rule of {@link Account} was violated. */
public class AccountRuleViolation extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message which rule, for which account */
    public AccountRuleViolation(String message) {
        super(message);
    }
}
