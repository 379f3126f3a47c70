package dev.rewind.spi.projection;

import dev.rewind.EventStoreException;

/**
 * A fenced write or a renewal was refused because the writer no longer holds the runner's lease: it
 * expired, or another instance took it over (with a greater token). The writer must stop processing
 * the runner at once; what it did not write stays undone.
 */
public class LeaseLostException extends EventStoreException {
    private static final long serialVersionUID = 1L;
    /** The runner. */
    private final String name;
    /** The instance that lost the lease. */
    private final String owner;
    /** The token it held. */
    private final long token;
    /** Who holds the lease now, or null. */
    private final String currentOwner;
    /** The lease's token now, -1 when there is none. */
    private final long currentToken;

    /**
     * @param name the runner
     * @param owner this writer's instance id
     * @param token this writer's token
     * @param currentOwner who holds the lease now, or null when no one holds it (it expired)
     * @param currentToken the token of the lease row now, -1 when there is none
     * @param doing what was refused
     */
    public LeaseLostException(String name, String owner, long token, String currentOwner, long currentToken,
                              String doing) {
        super("'" + name + "': " + doing + " was refused: instance '" + owner + "' no longer holds its lease (token "
                + token + "); " + (currentOwner == null
                ? "the lease expired" + (currentToken >= 0 ? " (token now " + currentToken + ")" : "")
                : "instance '" + currentOwner + "' holds it now with token " + currentToken));
        this.name = name;
        this.owner = owner;
        this.token = token;
        this.currentOwner = currentOwner;
        this.currentToken = currentToken;
    }

    /** @return the runner */
    public String name() {
        return name;
    }

    /** @return the instance that lost the lease */
    public String owner() {
        return owner;
    }

    /** @return the token it held */
    public long token() {
        return token;
    }

    /** @return who holds the lease now, or null when no one does */
    public String currentOwner() {
        return currentOwner;
    }

    /** @return the lease's token now, -1 when there is none */
    public long currentToken() {
        return currentToken;
    }
}
