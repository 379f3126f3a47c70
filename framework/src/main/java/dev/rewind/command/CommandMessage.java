package dev.rewind.command;

import dev.rewind.Metadata;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A command with its id and the metadata its events will carry.
 *
 * <p>The command id makes a command idempotent: the ids of the events it produces are derived from it
 * ({@code UUID.nameUUIDFromBytes("rewind-command:" + commandId + ":" + index)}), so a retried command is
 * recognised from the store alone, also after a restart. Every event carries the command id as its
 * causation id and the message's correlation id (the command id when none is given).
 *
 * <pre>{@code
 * gateway.send(CommandMessage.of(new PayOrder("42", 1_000)).withId("pay-42").withCorrelationId("req-7"));
 * }</pre>
 *
 * @param command the command record
 * @param commandId the command's id, or null for a command that is processed every time it is sent
 * @param metadata the metadata its events carry (its correlation id and free key/values; its causation
 *     id is replaced by the command id)
 */
public record CommandMessage(Object command, String commandId, Metadata metadata) {

    /**
     * Checks that the command is there and that an id, when given, is not blank.
     *
     * @param command the command record
     * @param commandId the command's id, or null for a command that is processed every time it is sent
     * @param metadata the metadata its events carry (its correlation id and free key/values; its causation
     *     id is replaced by the command id)
     */
    public CommandMessage {
        Objects.requireNonNull(command, "command");
        if (command instanceof CommandMessage) {
            throw new IllegalArgumentException("a CommandMessage cannot wrap another CommandMessage");
        }
        if (commandId != null && commandId.isBlank()) {
            throw new IllegalArgumentException("command id must not be blank (use null for a command without id)");
        }
        metadata = metadata == null ? Metadata.EMPTY : metadata;
    }

    /**
     * @param command a command record
     * @return a message with no id and no metadata
     */
    public static CommandMessage of(Object command) {
        return new CommandMessage(command, null, Metadata.EMPTY);
    }

    /**
     * @param id the command id (for example a request id the client retries with)
     * @return a copy with this id
     */
    public CommandMessage withId(String id) {
        return new CommandMessage(command, Objects.requireNonNull(id, "id"), metadata);
    }

    /** @return a copy with a random command id */
    public CommandMessage withRandomId() {
        return withId(UUID.randomUUID().toString());
    }

    /**
     * @param correlationId the id shared by everything one original request caused
     * @return a copy with this correlation id
     */
    public CommandMessage withCorrelationId(String correlationId) {
        return new CommandMessage(command, commandId, metadata.withCorrelationId(correlationId));
    }

    /**
     * @param key a metadata key (user, tenant...)
     * @param value its value
     * @return a copy with this key/value in the events' metadata
     */
    public CommandMessage with(String key, String value) {
        return new CommandMessage(command, commandId, metadata.with(key, value));
    }

    /**
     * @param values free key/values
     * @return a copy whose events carry these key/values
     */
    public CommandMessage withValues(Map<String, String> values) {
        return new CommandMessage(command, commandId,
                new Metadata(metadata.correlationId(), metadata.causationId(), values));
    }
}
