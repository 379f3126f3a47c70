package dev.rewind.spring.boot.sample;

import dev.rewind.annotation.Event;

/** @param text what was noted */
@Event(name = "Noted")
public record Noted(String text) {
}
