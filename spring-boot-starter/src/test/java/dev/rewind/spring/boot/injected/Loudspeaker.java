package dev.rewind.spring.boot.injected;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/** A bean of the application's that a projection gets through its constructor; it counts the projections it served. */
public class Loudspeaker {
    private final AtomicInteger listeners = new AtomicInteger();

    /** @return a new listener's number */
    int attach() {
        return listeners.incrementAndGet();
    }

    /** @return how many projection instances were created with it */
    public int listeners() {
        return listeners.get();
    }

    String shout(String text) {
        return text.toUpperCase(Locale.ROOT) + "!";
    }
}
