package dev.rewind.scan.bad;

import dev.rewind.annotation.Upcaster;

/** Annotated, but does not implement EventUpcaster: scanning its package stops start-up. */
@Upcaster(type = "Greeted", from = 1)
public class NotAnUpcaster {
}
