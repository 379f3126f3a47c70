package com.example.guestbook;

import dev.rewind.annotation.Event;

/** Someone signed the guest book. */
@Event(name = "Signed")
public record Signed(String name) {
}
