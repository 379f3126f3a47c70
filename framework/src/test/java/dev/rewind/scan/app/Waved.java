package dev.rewind.scan.app;

import dev.rewind.annotation.Event;

/**
 * Found by scanning.
 *
 * @param name who waved
 */
@Event(name = "Waved")
public record Waved(String name) {
}
