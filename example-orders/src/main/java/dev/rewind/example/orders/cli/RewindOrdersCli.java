package dev.rewind.example.orders.cli;

import dev.rewind.EventStoreException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The orders app's command line: {@code demo} (what runs with no arguments) and the tools that explore a
 * store directory. Output is JSON on stdout (one object per line for streams of events); errors go to
 * stderr as {@code error: <message>} with exit code 1 (2 for a usage error).
 */
@Command(name = "rewind-orders", mixinStandardHelpOptions = true, version = "rewind-orders 0.1.0",
        description = "The Rewind orders example. With no subcommand, runs the demo.",
        subcommands = {DemoCommand.class, AppendCommand.class, ReadCommand.class, ReplayCommand.class,
            EventsCommand.class, StateCommand.class, ProjectionsCommand.class, VerifyCommand.class, StatsCommand.class})
public final class RewindOrdersCli implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** Picocli creates it. */
    public RewindOrdersCli() {
    }

    /** Runs the demo with its defaults. */
    @Override
    public Integer call() {
        return spec.commandLine().getSubcommands().get("demo").execute();
    }

    /**
     * @return the command line, ready to {@code execute(args)}; set its out and err writers to capture them
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new RewindOrdersCli());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + describe(ex));
            commandLine.getErr().flush();
            return 1;
        });
        return cl;
    }

    private static String describe(Exception ex) {
        if (ex instanceof CliException || ex instanceof EventStoreException || ex instanceof IllegalArgumentException) {
            return ex.getMessage();
        }
        return ex.toString();
    }
}
