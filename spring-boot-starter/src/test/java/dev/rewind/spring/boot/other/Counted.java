package dev.rewind.spring.boot.other;

import dev.rewind.annotation.Event;

/** @param by how much */
@Event(name = "Counted")
public record Counted(int by) {
}
