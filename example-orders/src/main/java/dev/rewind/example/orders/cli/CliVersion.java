package dev.rewind.example.orders.cli;

import picocli.CommandLine.IVersionProvider;

/** What {@code --version} prints, on the top command and on every subcommand. */
public final class CliVersion implements IVersionProvider {
    /** Picocli creates it. */
    public CliVersion() {
    }

    @Override
    public String[] getVersion() {
        return new String[] {"rewind-orders 0.1.0"};
    }
}
