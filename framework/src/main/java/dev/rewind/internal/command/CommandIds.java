package dev.rewind.internal.command;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Event ids derived from a command id: the same command id always gives the same event ids. */
public final class CommandIds {
    private CommandIds() {
    }

    /**
     * @param commandId a command id
     * @param index the event's index in what the command produced, from 0
     * @return {@code UUID.nameUUIDFromBytes("rewind-command:" + commandId + ":" + index)}
     */
    public static UUID eventId(String commandId, int index) {
        return UUID.nameUUIDFromBytes(("rewind-command:" + commandId + ":" + index).getBytes(StandardCharsets.UTF_8));
    }
}
