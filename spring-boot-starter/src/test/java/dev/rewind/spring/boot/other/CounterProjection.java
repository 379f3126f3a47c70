package dev.rewind.spring.boot.other;

import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;

/** A package outside the application's: found only when rewind.scan-packages names it. */
@Projection("counter")
public class CounterProjection {
    private long total;

    @EventHandler
    void on(Counted e) {
        total += e.by();
    }

    @QueryState
    public long total() {
        return total;
    }
}
