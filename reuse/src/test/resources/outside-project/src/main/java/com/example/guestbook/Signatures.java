package com.example.guestbook;

import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import java.util.ArrayList;
import java.util.List;

/** Who signed, in order. Found by scanning: nothing registers it. */
@Projection("signatures")
public class Signatures {
    private final List<String> names = new ArrayList<>();

    @EventHandler
    void on(Signed e) {
        names.add(e.name());
    }

    @QueryState
    public List<String> names() {
        return List.copyOf(names);
    }
}
