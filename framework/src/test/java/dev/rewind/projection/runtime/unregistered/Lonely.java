package dev.rewind.projection.runtime.unregistered;

import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.EventProcessor;
import dev.rewind.projection.runtime.Fixtures.Added;

/** An event processor that a test scans without registering it. */
@EventProcessor("lonely")
public class Lonely {
    @EventHandler
    void on(Added e) {
    }
}
