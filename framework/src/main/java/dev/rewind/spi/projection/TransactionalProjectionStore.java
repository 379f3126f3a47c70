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
 *
 * <h2>Table sets (blue/green rebuild)</h2>
 * A table projection that declares its DDL ({@code @CreateTables}) has its tables managed by the store in
 * {@linkplain TableSet table sets}: the {@link TableSet#LIVE live} one, which SQL readers query, and while
 * a rebuild runs a {@link TableSet#NEXT next} one, filled from position 0 under a checkpoint of its own
 * ({@link #rebuildName}). The work of a transaction on a table set sees that set first in its name
 * resolution (unqualified names), then the store's own tables. {@link #switchTables} then puts the next
 * set in place of the live one and its checkpoint in place of the live checkpoint in one transaction, so a
 * reader sees the old tables or the new ones, never neither nor a half-built set.
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

    /** A table projection's table sets. */
    enum TableSet {
        /** The tables readers query, in the store's own schema (or namespace). */
        LIVE,
        /** The tables a rebuild fills, apart from the live ones until the switch. */
        NEXT
    }

    /** A projection's DDL, run on a connection whose name resolution puts the table set first. */
    @FunctionalInterface
    interface Ddl {
        /**
         * @param connection the transaction's connection; the DDL must neither commit, roll back nor close it
         * @throws Exception when the tables cannot be created
         */
        void run(Connection connection) throws Exception;
    }

    /**
     * @param projection a table projection's name
     * @return the name of the checkpoint its rebuild saves with its batches into the {@link TableSet#NEXT} set
     */
    static String rebuildName(String projection) {
        return projection + "#rebuild";
    }

    /**
     * Creates a table set in one transaction, serialized with every other creation and switch of the same
     * projection's tables.
     *
     * @param projection the table projection
     * @param tables {@link TableSet#LIVE}: runs the DDL where the live tables are (it creates what is missing,
     *     with {@code IF NOT EXISTS}); {@link TableSet#NEXT}: first drops what a previous rebuild left (its
     *     tables and its checkpoint), then runs the DDL in an empty set
     * @param ddl the DDL
     * @throws TransactionWorkException wrapping what the DDL threw (a checked exception); nothing was created
     */
    void createTables(String projection, TableSet tables, Ddl ddl);

    /**
     * As {@link #inTransaction(String, Lease, Work)}, with the work's unqualified names resolved in a table set
     * first. For {@link TableSet#NEXT} the work returns the checkpoint named {@link #rebuildName}, fenced by
     * the projection's lease.
     *
     * @param projection the table projection (also the lease's name)
     * @param tables the table set the work writes
     * @param lease the projection's lease, or null when it is not owned
     * @param work the batch
     * @return the checkpoint committed, or null when the work returned none
     */
    Checkpoint inTransaction(String projection, TableSet tables, Lease lease, Work work);

    /**
     * Ends a rebuild, in one transaction: runs the work on the {@link TableSet#NEXT} set (the last events a
     * rebuild has to apply), puts the next set's tables in place of the live ones (the live ones are
     * dropped), saves the checkpoint the work returns (named {@code projection}, fenced by the lease) in place
     * of the live one and deletes the rebuild's checkpoint. Nothing changes when anything fails.
     *
     * @param projection the table projection
     * @param lease the projection's lease, or null when it is not owned
     * @param work the last events, returning the projection's new checkpoint
     * @return the checkpoint committed
     * @throws LeaseLostException when the lease is no longer held: nothing was switched
     */
    Checkpoint switchTables(String projection, Lease lease, Work work);

    /**
     * Drops the {@link TableSet#NEXT} set and the rebuild's checkpoint, if any (a rebuild that failed or was
     * cancelled).
     *
     * @param projection the table projection
     */
    void dropNextTables(String projection);

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
