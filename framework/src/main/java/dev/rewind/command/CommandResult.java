package dev.rewind.command;

import dev.rewind.StoredEvent;
import java.util.List;

/**
 * What a command did.
 *
 * @param commandId the command's id (a random one when the command was sent without id)
 * @param streamId the stream of the aggregate it addressed
 * @param events the events it appended, as stored (with their positions), in order; empty when the
 *     handler decided that nothing changes
 * @param alreadyProcessed true when the command id had been processed before: the handler did not run,
 *     nothing was appended, and {@code events} are the ones the first run appended
 * @param attempts how many times the handler ran (0 for a recognised retry; more than 1 after
 *     concurrency conflicts)
 */
public record CommandResult(String commandId, String streamId, List<StoredEvent<?>> events,
                            boolean alreadyProcessed, int attempts) {

    /**
     * Copies the list.
     *
     * @param commandId the command's id (a random one when the command was sent without id)
     * @param streamId the stream of the aggregate it addressed
     * @param events the events it appended, as stored (with their positions), in order; empty when the
     *     handler decided that nothing changes
     * @param alreadyProcessed true when the command id had been processed before: the handler did not run,
     *     nothing was appended, and {@code events} are the ones the first run appended
     * @param attempts how many times the handler ran (0 for a recognised retry; more than 1 after
     *     concurrency conflicts)
     */
    public CommandResult {
        events = List.copyOf(events);
    }

    /** @return the payloads of {@link #events()}, in order */
    public List<Object> payloads() {
        return events.stream().<Object>map(StoredEvent::payload).toList();
    }

    /** @return the stream version of the last event appended, or -1 when none was */
    public long lastStreamVersion() {
        return events.isEmpty() ? -1 : events.get(events.size() - 1).streamVersion();
    }
}
