package dev.rewind.dispatch;

import dev.rewind.annotation.Event;

/** Event records shared by the dispatch tests: a sealed family and one outsider. */
final class ShopEvents {
    private ShopEvents() {
    }

    /** All events of a shop. */
    sealed interface ShopEvent permits Opened, Sold, Closed {
    }

    @Event(name = "Opened")
    record Opened(String shop) implements ShopEvent {
    }

    @Event(name = "Sold")
    record Sold(String shop, long cents) implements ShopEvent {
    }

    @Event(name = "Closed")
    record Closed(String shop) implements ShopEvent {
    }

    /** Not part of the sealed family. */
    @Event(name = "Audited")
    record Audited(String by) {
    }

    /** Annotated, but never registered in the tests. */
    @Event(name = "Unregistered")
    record Unregistered(String x) {
    }

    static final Class<?>[] ALL = {Opened.class, Sold.class, Closed.class, Audited.class};
}
