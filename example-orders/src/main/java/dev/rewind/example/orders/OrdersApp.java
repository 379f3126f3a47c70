package dev.rewind.example.orders;

import dev.rewind.Rewind;

/**
 * How the orders app configures Rewind: it names its base package, and scanning finds the events,
 * projections and upcasters under it. No code anywhere lists them: a new projection is a new class.
 */
public final class OrdersApp {
    /** The package scanned for events, projections and upcasters. */
    public static final String BASE_PACKAGE = "dev.rewind.example.orders";

    private OrdersApp() {
    }

    /** @return a builder configured with the app's components; the caller adds the storage and clock */
    public static Rewind.Builder rewind() {
        return Rewind.builder().scanPackages(BASE_PACKAGE);
    }
}
