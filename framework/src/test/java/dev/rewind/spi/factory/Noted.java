package dev.rewind.spi.factory;

import dev.rewind.annotation.Event;

/**
 * A note; version 1 had no author, which {@link NotedV1ToV2} adds.
 *
 * @param text what was noted
 * @param author who noted it
 */
@Event(name = "FactoryNoted", version = 2)
public record Noted(String text, String author) {
}
