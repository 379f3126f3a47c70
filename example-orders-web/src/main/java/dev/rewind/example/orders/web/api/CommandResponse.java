package dev.rewind.example.orders.web.api;

import dev.rewind.command.CommandResult;
import java.util.List;

/**
 * What a command did, as the API answers it (status 201, or 200 for a retry recognised by its
 * {@code Idempotency-Key}).
 *
 * @param commandId the command's id (the {@code Idempotency-Key} when one was given)
 * @param streamId the order's stream
 * @param alreadyProcessed true for a recognised retry: nothing was appended, the events are the first run's
 * @param attempts how many times the handler ran (more than 1 after concurrency conflicts)
 * @param events the events stored, in order
 */
public record CommandResponse(String commandId, String streamId, boolean alreadyProcessed, int attempts,
                              List<EventView> events) {

    static CommandResponse of(CommandResult r) {
        return new CommandResponse(r.commandId(), r.streamId(), r.alreadyProcessed(), r.attempts(),
                EventView.of(r.events()));
    }
}
