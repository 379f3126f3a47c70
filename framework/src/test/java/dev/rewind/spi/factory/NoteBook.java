package dev.rewind.spi.factory;

import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import java.util.ArrayList;
import java.util.List;

/** A projection with no no-argument constructor: only an instance factory can create it. */
@Projection("note_book")
public class NoteBook {
    private final transient String prefix;
    private final List<String> lines = new ArrayList<>();

    /** @param prefix put before each line: the collaborator the factory injects */
    public NoteBook(String prefix) {
        this.prefix = prefix;
    }

    @EventHandler
    void on(Noted e) {
        lines.add(prefix + e.text() + " (" + e.author() + ")");
    }

    /** @return the lines, in order */
    @QueryState
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** @return the injected prefix, to tell instances from different factory calls apart */
    public String prefix() {
        return prefix;
    }
}
