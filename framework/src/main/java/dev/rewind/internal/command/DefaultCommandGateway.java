package dev.rewind.internal.command;

import dev.rewind.AppendResult;
import dev.rewind.ConcurrencyConflictException;
import dev.rewind.DuplicateEventIdException;
import dev.rewind.EventStore;
import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.NewEvent;
import dev.rewind.StoredEvent;
import dev.rewind.command.CommandConflictException;
import dev.rewind.command.CommandGateway;
import dev.rewind.command.CommandMessage;
import dev.rewind.command.CommandResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link CommandGateway}: route, recognise a processed command id, load, decide, append with the
 * version read, retry on conflict.
 *
 * <p>"Already processed" is read from the store itself, so it survives a restart with no extra state:
 * a command's event ids derive from its id, and a stored first event id means the command ran.
 */
final class DefaultCommandGateway implements CommandGateway {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultCommandGateway.class);

    /** Attempts when none are configured: the first run and two retries. */
    static final int DEFAULT_MAX_ATTEMPTS = 3;

    private final EventStore store;
    private final CommandHandlers handlers;
    private final AggregateLoader loader;
    private final int maxAttempts;

    /**
     * @param store the event store
     * @param handlers the routing table
     * @param loader loads aggregates (and writes snapshots)
     * @param maxAttempts how many times a command runs before a conflict is reported, 1 or more
     */
    DefaultCommandGateway(EventStore store, CommandHandlers handlers, AggregateLoader loader, int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("command attempts must be 1 or more, was " + maxAttempts);
        }
        this.store = Objects.requireNonNull(store, "store");
        this.handlers = Objects.requireNonNull(handlers, "handlers");
        this.loader = Objects.requireNonNull(loader, "loader");
        this.maxAttempts = maxAttempts;
    }

    @Override
    public <A> A load(Class<A> aggregateType, String aggregateId) {
        Objects.requireNonNull(aggregateType, "aggregateType");
        AggregateModel<A> model = handlers.aggregate(aggregateType);
        if (aggregateId == null || aggregateId.isBlank()) {
            throw new IllegalArgumentException("the id of the " + aggregateType.getSimpleName()
                    + " to load is " + (aggregateId == null ? "null" : "blank"));
        }
        return loader.load(model, model.streamId(aggregateId)).aggregate();
    }

    @Override
    public CommandResult send(Object command) {
        Objects.requireNonNull(command, "command");
        return send(command instanceof CommandMessage m ? m : CommandMessage.of(command));
    }

    @Override
    public CommandResult send(CommandMessage message) {
        Objects.requireNonNull(message, "message");
        Object command = message.command();
        CommandHandlerModel handler = handlers.handlerFor(command.getClass());
        String streamId = handler.streamIdOf(command);
        boolean idempotent = message.commandId() != null;
        String commandId = idempotent ? message.commandId() : UUID.randomUUID().toString();
        Metadata md = message.metadata().withCausationId(commandId);
        Metadata metadata = md.correlationId() == null ? md.withCorrelationId(commandId) : md;
        ConcurrencyConflictException last = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            if (idempotent) {
                CommandResult prior = priorResult(commandId, attempt - 1);
                if (prior != null) {
                    return prior;
                }
            }
            try {
                return attempt(handler, command, streamId, commandId, metadata, attempt);
            } catch (ConcurrencyConflictException e) {
                last = e;
                LOG.debug("{} on '{}': conflict on attempt {} of {}: {}", command.getClass().getSimpleName(),
                        streamId, attempt, maxAttempts, e.getMessage());
            } catch (DuplicateEventIdException e) {
                // the same command id ran concurrently and its events differ from ours: theirs count
                CommandResult prior = idempotent ? priorResult(commandId, attempt) : null;
                if (prior == null) {
                    throw e;
                }
                return prior;
            }
        }
        throw new CommandConflictException(command.getClass().getSimpleName(), streamId, maxAttempts, last);
    }

    private <A> CommandResult attempt(CommandHandlerModel handler, Object command, String streamId, String commandId,
                                      Metadata metadata, int attempt) {
        @SuppressWarnings("unchecked")
        AggregateModel<A> model = (AggregateModel<A>) handler.aggregate();
        AggregateLoader.Loaded<A> loaded = loader.load(model, streamId);
        List<Object> payloads = handler.invoke(loaded.aggregate(), command);
        if (payloads.isEmpty()) {
            return new CommandResult(commandId, streamId, List.of(), false, attempt);
        }
        List<NewEvent> events = new ArrayList<>(payloads.size());
        for (int i = 0; i < payloads.size(); i++) {
            events.add(new NewEvent(CommandIds.eventId(commandId, i), payloads.get(i), metadata));
        }
        AppendResult appended = store.append(streamId, ExpectedVersion.afterVersion(loaded.version()), events);
        if (!appended.alreadyAppended()) {
            loader.afterAppend(model, streamId, loaded, appended.events());
        }
        return new CommandResult(commandId, streamId, appended.events(), appended.alreadyAppended(),
                attempt);
    }

    /**
     * @param commandId a command id
     * @param attempts how many times the handler ran in this call
     * @return the result of its first run when its events are stored, else null
     */
    private CommandResult priorResult(String commandId, int attempts) {
        long position = store.positionOf(CommandIds.eventId(commandId, 0));
        if (position < 0) {
            return null;
        }
        StoredEvent<?> first = store.readAll(position, 1).get(0);
        List<StoredEvent<?>> events = new ArrayList<>();
        for (StoredEvent<?> e : store.readStream(first.streamId(), first.streamVersion())) {
            if (!e.eventId().equals(CommandIds.eventId(commandId, events.size()))) {
                break;
            }
            events.add(e);
        }
        LOG.debug("command {} was already processed: returning its {} events", commandId, events.size());
        return new CommandResult(commandId, first.streamId(), events, true, attempts);
    }
}
