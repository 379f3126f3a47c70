package dev.rewind.spring.boot.injected;

import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.spring.boot.sample.Noted;
import java.util.ArrayList;
import java.util.List;

/** A projection with a constructor-injected bean, and no no-argument constructor. */
@Projection("shouted_notes")
public class ShoutedNotes {
    private final transient Loudspeaker loudspeaker;
    private final transient int instance;
    private final List<String> notes = new ArrayList<>();

    /** @param loudspeaker a bean of the application */
    public ShoutedNotes(Loudspeaker loudspeaker) {
        this.loudspeaker = loudspeaker;
        this.instance = loudspeaker.attach();
    }

    @EventHandler
    void on(Noted e) {
        notes.add(loudspeaker.shout(e.text()));
    }

    /** @return the notes, shouted */
    @QueryState
    public List<String> notes() {
        return List.copyOf(notes);
    }

    /** @return which instance this is (a rebuild creates a new one) */
    public int instance() {
        return instance;
    }
}
