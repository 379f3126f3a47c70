package dev.rewind.example.orders.notification;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;

/**
 * A {@link Notifier} that writes each notification as one JSON line to {@code notifications.jsonl} in a
 * directory: the stand-in for a mail service. It fails while the directory is missing (a service that is
 * down), and writes a key only once (an idempotent receiver).
 */
public final class OutboxNotifier implements Notifier {
    private final Path file;

    /** @param directory the outbox directory (it must exist when a notification is sent) */
    public OutboxNotifier(Path directory) {
        this.file = directory.resolve("notifications.jsonl");
    }

    @Override
    public synchronized void orderShipped(String orderId, String carrier, UUID idempotencyKey) {
        if (!Files.isDirectory(file.getParent())) {
            throw new IllegalStateException("the outbox " + file.getParent() + " is unavailable (no such directory)");
        }
        try {
            if (Files.exists(file) && Files.readAllLines(file).stream().anyMatch(l -> l.contains(idempotencyKey.toString()))) {
                return; // sent before: the same key is the same notification
            }
            String line = "{\"key\":\"" + idempotencyKey + "\",\"order\":\"" + orderId + "\",\"shipped_by\":\"" + carrier
                    + "\"}";
            Files.write(file, List.of(line), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to the outbox " + file, e);
        }
    }
}
