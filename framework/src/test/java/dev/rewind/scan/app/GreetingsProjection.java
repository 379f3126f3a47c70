package dev.rewind.scan.app;

import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import java.util.ArrayList;
import java.util.List;

/** Found by scanning: a package-private class with package-private handlers is fine. */
@Projection("greetings")
class GreetingsProjection {
    private final List<String> names = new ArrayList<>();

    @EventHandler
    void on(Greeted e) {
        names.add("hello " + e.name());
    }

    @EventHandler
    void on(Waved e) {
        names.add("wave " + e.name());
    }

    @QueryState
    List<String> names() {
        return List.copyOf(names);
    }
}
