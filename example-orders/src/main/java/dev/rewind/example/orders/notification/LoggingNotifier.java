package dev.rewind.example.orders.notification;

import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A {@link Notifier} that only logs (at INFO): what the demo and the CLI use unless given an outbox. */
public final class LoggingNotifier implements Notifier {
    private static final Logger LOG = LoggerFactory.getLogger(LoggingNotifier.class);

    /** A notifier that logs. */
    public LoggingNotifier() {
    }

    @Override
    public void orderShipped(String orderId, String carrier, UUID idempotencyKey) {
        LOG.info("order {} shipped by {} (notification {})", orderId, carrier, idempotencyKey);
    }
}
