package dev.rewind.example.orders.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The web app's own settings ({@code orders.*}); Rewind's are {@code rewind.*}, the server's
 * {@code server.*}.
 */
@ConfigurationProperties(prefix = "orders")
public class OrdersWebProperties {

    /** Whether to play the demo's story (8 events, one afternoon of 2024) into the store at start-up, when it is empty. */
    private boolean demo;

    /** The largest request body accepted; a larger one is refused with 413 before anything is read into a command. */
    private DataSize maxBodySize = DataSize.ofKilobytes(16);

    /** Spring binds it. */
    public OrdersWebProperties() {
    }

    /** @return whether the demo story is played into an empty store at start-up */
    public boolean isDemo() {
        return demo;
    }

    /** @param demo whether the demo story is played into an empty store at start-up */
    public void setDemo(boolean demo) {
        this.demo = demo;
    }

    /** @return the largest request body accepted */
    public DataSize getMaxBodySize() {
        return maxBodySize;
    }

    /** @param maxBodySize the largest request body accepted */
    public void setMaxBodySize(DataSize maxBodySize) {
        this.maxBodySize = maxBodySize;
    }
}
