package com.example.guestbook;

import dev.rewind.ExpectedVersion;
import dev.rewind.Rewind;
import java.util.List;

/** The outside application: signs twice and returns the projection's state. */
public final class GuestBook {
    private GuestBook() {
    }

    public static List<String> run() {
        try (Rewind rewind = Rewind.builder().scanPackages("com.example.guestbook").build()) {
            rewind.store().append("book", ExpectedVersion.noStream(), List.of(new Signed("ann"), new Signed("bob")));
            return rewind.projections().state("signatures");
        }
    }

    public static void main(String[] args) {
        System.out.println(run());
    }
}
