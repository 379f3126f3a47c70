package dev.rewind.spring.boot.sample;

import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import java.util.ArrayList;
import java.util.List;

/** Every note, in order: found by scanning the application's package. */
@Projection("notes")
public class NotesProjection {
    private final List<String> notes = new ArrayList<>();

    @EventHandler
    void on(Noted e) {
        notes.add(e.text());
    }

    @QueryState
    public List<String> notes() {
        return List.copyOf(notes);
    }
}
