package dev.rewind.plugin.scanned;

import dev.rewind.StoredEvent;
import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;

/** Found only because a plugin asks to scan this package: counts every event (any record). */
@Projection("pongs")
public class Pongs {
    private int count;

    @EventHandler
    void on(Record e, StoredEvent<?> envelope) {
        count++;
    }

    @QueryState
    public int state() {
        return count;
    }
}
