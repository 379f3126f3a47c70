package dev.rewind.command;

/**
 * The write side's entry point: sends a command to its one {@link dev.rewind.annotation.CommandHandler}.
 *
 * <p>For every command the gateway: recognises a command id it has already processed (and then returns
 * the first result without running the handler); derives the stream from the command's
 * {@link dev.rewind.annotation.TargetAggregateId}; loads the aggregate (from its latest snapshot plus
 * the stream's tail, or from the whole stream); runs the handler; appends the new events with the
 * stream version it read as the expected version. On a concurrency conflict it reloads and runs the
 * handler again, a bounded number of times, then throws {@link CommandConflictException}.
 *
 * <p>Exceptions the handler throws (rule violations) reach the caller unchanged, and nothing is
 * appended. Thread-safe.
 *
 * <pre>{@code
 * CommandResult r = rewind.commands().send(new PayOrder("42", 1_000));
 * CommandResult again = rewind.commands().send(CommandMessage.of(new PayOrder("42", 1_000)).withId("pay-42"));
 * }</pre>
 */
public interface CommandGateway {

    /**
     * Sends a command with no id: it is processed every time it is sent. A {@link CommandMessage} passed
     * here is treated as {@link #send(CommandMessage)}.
     *
     * @param command a command record
     * @return what the command appended
     * @throws IllegalArgumentException when no handler is registered for the command's type
     * @throws CommandConflictException when every attempt met a concurrency conflict
     */
    CommandResult send(Object command);

    /**
     * Sends a command with its id and metadata. A command id already processed is recognised before the
     * handler runs: the first result is returned and nothing is appended.
     *
     * @param message the command and its id, correlation id and metadata
     * @return what the command appended (or had appended, for a recognised retry)
     * @throws IllegalArgumentException when no handler is registered for the command's type
     * @throws CommandConflictException when every attempt met a concurrency conflict
     */
    CommandResult send(CommandMessage message);

    /**
     * Loads an aggregate as a command sees it before its handler runs: a fresh instance with every event
     * of its stream applied by its {@link dev.rewind.annotation.EventSourcingHandler}s (from its latest
     * usable snapshot plus the tail, when snapshots are kept). Nothing is appended or cached. Meant for
     * tests and diagnostics (the given/when/then fixture's {@code thenState} uses it): queries read
     * projections, and a change goes through {@link #send}.
     *
     * @param aggregateType a registered {@link dev.rewind.annotation.Aggregate} class
     * @param aggregateId its id, as a command's {@link dev.rewind.annotation.TargetAggregateId} gives it
     *     (the stream is the aggregate's stream prefix followed by it)
     * @param <A> the aggregate class
     * @return the aggregate; the state before any event when its stream is empty
     * @throws IllegalArgumentException when the class is not a registered aggregate, or the id is null or blank
     */
    <A> A load(Class<A> aggregateType, String aggregateId);
}
