package dev.rewind.example.orders;

import dev.rewind.example.orders.cli.RewindOrdersCli;

/** The jar's entry point: {@code java -jar rewind-orders.jar [subcommand] [options]}; no arguments runs the demo. */
public final class Main {
    private Main() {
    }

    /**
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(RewindOrdersCli.commandLine().execute(args));
    }
}
