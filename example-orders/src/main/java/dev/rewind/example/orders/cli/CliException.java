package dev.rewind.example.orders.cli;

/** A problem the CLI reports on stderr, as {@code error: <message>}, with exit code 1. */
public final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, naming the input that is */
    public CliException(String message) {
        super(message);
    }
}
