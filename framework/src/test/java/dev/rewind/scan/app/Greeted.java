package dev.rewind.scan.app;

import dev.rewind.annotation.Event;

/**
 * Found by scanning. Version 2: v1 had {@code who} instead of {@code name}.
 *
 * @param name who was greeted
 */
@Event(name = "Greeted", version = 2)
public record Greeted(String name) {
}
