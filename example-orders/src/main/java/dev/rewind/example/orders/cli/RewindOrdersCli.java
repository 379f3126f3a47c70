package dev.rewind.example.orders.cli;

import dev.rewind.EventStoreException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.RunLast;
import picocli.CommandLine.Spec;

/**
 * The orders app's command line: {@code demo} (what runs without a subcommand, with the same options)
 * and the tools that explore a store directory. Output is JSON on stdout (one object per line for
 * streams of events); errors go to stderr as {@code error: <message>} with exit code 1; a value that
 * cannot be parsed or is out of range is a usage error, exit code 2, naming the option.
 */
@Command(name = "rewind-orders", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "The Rewind orders example. Without a subcommand, runs the demo (with the demo's options below).",
        subcommands = {DemoCommand.class, AppendCommand.class, ReadCommand.class, ReplayCommand.class,
            EventsCommand.class, StateCommand.class, ProjectionsCommand.class, StatusCommand.class, ParkedCommand.class,
            RetryCommand.class, SkipCommand.class, VerifyCommand.class, StatsCommand.class, ServeCommand.class})
public final class RewindOrdersCli implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DemoOptions demo;

    /** Picocli creates it. */
    public RewindOrdersCli() {
    }

    /** Runs the demo with the options given. */
    @Override
    public Integer call() {
        return DemoCommand.run(demo, spec.commandLine());
    }

    /**
     * @return the command line, ready to {@code execute(args)}; set its out and err writers to capture them
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new RewindOrdersCli());
        cl.setExecutionStrategy(RewindOrdersCli::execute);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + describe(ex));
            commandLine.getErr().flush();
            return 1;
        });
        return cl;
    }

    /**
     * Refuses the demo's options before a subcommand (they would be ignored: every subcommand has its own
     * {@code --data}), then runs the last command given.
     */
    private static int execute(ParseResult parseResult) {
        if (parseResult.hasSubcommand()) {
            List<String> demoOptions = parseResult.matchedOptions().stream()
                    .filter(o -> !o.usageHelp() && !o.versionHelp())
                    .map(OptionSpec::longestName)
                    .collect(Collectors.toList());
            if (!demoOptions.isEmpty()) {
                String subcommand = parseResult.subcommand().commandSpec().name();
                throw new ParameterException(parseResult.commandSpec().commandLine(), String.join(", ", demoOptions)
                        + " before the subcommand " + subcommand + " is an option of the demo; give the options of "
                        + subcommand + " after it (rewind-orders " + subcommand + " --data DIR ...)");
            }
        }
        return new RunLast().execute(parseResult);
    }

    private static String describe(Exception ex) {
        if (ex instanceof CliException || ex instanceof EventStoreException || ex instanceof IllegalArgumentException
                || ex instanceof dev.rewind.projection.StaleProjectionException) {
            return ex.getMessage();
        }
        return ex.toString();
    }
}
