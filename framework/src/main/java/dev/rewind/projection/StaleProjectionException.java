package dev.rewind.projection;

/**
 * A query asked for a projection state that includes a position ({@link ReadPoint#atLeast}) and the
 * projection did not get there in time, or cannot get there (it stopped at an event before it). The
 * message names the projection, the position asked for, the one reached and the projection's state.
 */
public class StaleProjectionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what was asked, what was reached, and why */
    public StaleProjectionException(String message) {
        super(message);
    }
}
