package dev.rewind.spi.projection;

import java.sql.Connection;

/**
 * Optional capability of a {@link ProjectionStore} kept in a relational database: it runs a batch of a
 * runner's work in one database transaction and saves the runner's checkpoint in that same transaction.
 * A projection whose handlers take a {@link Connection} (it keeps its view in tables of its own) runs only
 * on a store with this capability; the handlers of each batch get the transaction's connection, so their
 * rows and the checkpoint commit together or not at all: after any crash, each event's effect is in the
 * tables exactly once. The in-memory and file stores do not offer it. See
 * {@code docs/adr/0016-table-projections.md}.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #inTransaction} opens a transaction, runs the work with its connection, writes the
 *       checkpoint the work returns on that connection (fenced by the lease when one is given, exactly as
 *       {@link ProjectionStore#save(Checkpoint, Lease)}), and commits. When anything fails (the work, the
 *       save, the fence, the commit) it rolls back and throws: the work's writes are not applied.</li>
 *   <li>When the commit itself fails, the outcome may be unknown (the connection broke while committing):
 *       the caller must then reload the checkpoint before it runs the batch again.</li>
 *   <li>Thread-safe; the connection given to the work is used by the calling thread only, and only until
 *       the work returns.</li>
 * </ul>
 */
public interface TransactionalProjectionStore {

    /**
     * A batch's work inside the transaction.
     */
    @FunctionalInterface
    interface Work {
        /**
         * @param connection the transaction's connection (auto-commit off); the work must neither commit,
         *     roll back nor close it
         * @return the checkpoint to save in the same transaction, or null to save none (then the
         *     transaction is rolled back: nothing the work wrote would be accounted for)
         * @throws Exception when the batch must not be applied
         */
        Checkpoint run(Connection connection) throws Exception;
    }

    /**
     * Runs {@code work} in one transaction and saves the checkpoint it returns in the same transaction.
     *
     * @param name the runner (the checkpoint's name)
     * @param lease the lease the runner's writer holds, or null for an unowned runner
     * @param work the batch
     * @return the checkpoint committed, or null when the work returned none (nothing was committed)
     * @throws LeaseLostException when the lease is no longer held: nothing was committed
     * @throws TransactionWorkException wrapping what the work threw (a checked exception; runtime exceptions
     *     and errors are thrown as they are): nothing was committed
     * @throws RuntimeException when the database fails: nothing was committed, unless the commit's outcome is
     *     unknown
     */
    Checkpoint inTransaction(String name, Lease lease, Work work);

    /**
     * What a {@link Work} threw, when it was a checked exception; the cause is the original.
     */
    final class TransactionWorkException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /**
         * @param name the runner
         * @param cause what the work threw
         */
        public TransactionWorkException(String name, Throwable cause) {
            super("the batch of '" + name + "' failed in its transaction, which was rolled back: " + cause, cause);
        }
    }
}
