package com.example.guestbook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class GuestBookTest {
    @Test
    void the_projection_sees_both_signatures() {
        assertEquals(List.of("ann", "bob"), GuestBook.run());
    }
}
