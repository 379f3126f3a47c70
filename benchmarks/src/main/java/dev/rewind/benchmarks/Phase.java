package dev.rewind.benchmarks;

/** The phases of the workload, in the order the launcher runs them. */
public enum Phase {
    /** All N events, one order per append, no handlers. */
    APPEND("append", "events/s", true, true),
    /** The same with the two views attached, delivered synchronously. */
    DISPATCH("dispatch", "events/s", true, true),
    /** The store holds N events; rebuild both views from the first. */
    REPLAY("replay", "events/s", true, true),
    /** Replay decoding every event from its stored bytes (Rewind file store vs Axon JDBC/H2). */
    SERIALIZED_REPLAY("serialized-replay", "events/s", true, true),
    /** Replay with every OrderPaid stored at version 1 and upcast to 2. */
    UPCAST_REPLAY("upcast-replay", "events/s", true, true),
    /** The limit for serialized replay: plain Jackson binding of the same payload bytes. */
    JACKSON_BIND("jackson-bind (limit)", "events/s", true, false),
    /** A limit for append: plain Jackson serialisation of the same events, and UUID generation. */
    JACKSON_WRITE("jackson-write (limit)", "events/s", true, false),
    /** Order totals as of the instant of event N/2, in memory. */
    TEMPORAL_MEMORY("temporal, in memory", "ms", false, false),
    /** Order totals as of the instant of event N/2, file store. */
    TEMPORAL_FILE("temporal, file store", "ms", false, false),
    /** fsync before acknowledgement, 1 writer. */
    DURABLE_1("durable append, 1 writer", "events/s", true, false),
    /** fsync before acknowledgement, 4 writers. */
    DURABLE_4("durable append, 4 writers", "events/s", true, false),
    /** fsync before acknowledgement, 16 writers. */
    DURABLE_16("durable append, 16 writers", "events/s", true, false),
    /** Heap held per stored event after a full GC, in-memory stores. */
    MEMORY("memory, in memory", "bytes/event", false, true),
    /** Heap held per stored event after a full GC, Rewind's file store. */
    MEMORY_FILE("memory, file store", "bytes/event", false, false),
    /**
     * Start-up with N events stored and a snapshot at the head: from the store being open to the first query
     * answered (the store's open apart, in the extras); the limit beside it is today's replay from position 0.
     */
    STARTUP("start-up, snapshot at the head (limit: replay from 0)", "ms", false, false),
    /** The same with 10 N events (run only when named in --phases: seeding 10 N takes a while). */
    STARTUP_10N("start-up at 10 N, snapshot at the head (limit: replay from 0)", "ms", false, false),
    /**
     * A typed query by key (five order totals) as of the instant of event N/2, file store, from the nearest
     * kept past state read by key; the whole-state {@code stateAt} and a query iterating the whole past state
     * are in the extras.
     */
    TEMPORAL_HISTORY("temporal from past states, file store", "ms", false, false),
    /** The same with 10 N events (run only when named). */
    TEMPORAL_HISTORY_10N("temporal from past states at 10 N, file store", "ms", false, false),
    /** An asynchronous projection catching up on a file store of N events (limit: the synchronous catch-up); Axon: tracking processor. */
    ASYNC_CATCHUP("async catch-up, file store (limit: sync)", "events/s", true, true),
    /** Durable append, 16 writers, with 3 asynchronous projections attached (lag p50/p99 in the extras). */
    DURABLE_16_ASYNC("durable append, 16 writers, 3 async projections", "events/s", true, false),
    /** PostgreSQL (run only when asked): durable append, 1 writer, Rewind's PostgresStorage vs Axon's JDBC engine. */
    PG_DURABLE_1("PostgreSQL durable append, 1 writer", "events/s", true, true),
    /** PostgreSQL: durable append, 4 writers. */
    PG_DURABLE_4("PostgreSQL durable append, 4 writers", "events/s", true, true),
    /** PostgreSQL: durable append, 16 writers. */
    PG_DURABLE_16("PostgreSQL durable append, 16 writers", "events/s", true, true),
    /** PostgreSQL: durable append, two application instances (two JVMs) with 8 writers each. */
    PG_DURABLE_2X8("PostgreSQL durable append, 2 JVMs x 8 writers", "events/s", true, true),
    /** PostgreSQL: the database holds N events; rebuild both views (Axon: tracking processor, batch 100). */
    PG_REPLAY("PostgreSQL serialized replay", "events/s", true, true),
    /** PostgreSQL, Rewind only: append acknowledged to seen by a subscriber in another JVM, 4 writers, median. */
    PG_TAIL_P50("PostgreSQL tailing latency p50 (another JVM, 4 writers)", "ms", false, false),
    /** PostgreSQL, Rewind only: the same, 99th percentile. */
    PG_TAIL_P99("PostgreSQL tailing latency p99 (another JVM, 4 writers)", "ms", false, false),
    /**
     * PostgreSQL: the database holds N events; a table projection (an {@code order_totals} upsert per event of
     * interest, the checkpoint in the batch's transaction) catches up from position 0 to its checkpoint at the
     * head. Axon: tracking processor with a JDBC token store writing the same table in its unit of work.
     */
    PG_TABLE_CATCHUP("PostgreSQL table projection catch-up", "events/s", true, true),
    /**
     * PostgreSQL, Rewind only: two JVMs share a store with three owned projections while a writer appends; the
     * owner is SIGKILLed: ms until the other holds every lease, median over the rounds (the max, and the time
     * until the projections pass the head at the kill, in the extras).
     */
    PG_TAKEOVER("PostgreSQL take-over after SIGKILL of the owner (2 JVMs), p50", "ms", false, false);

    private final String label;
    private final String unit;
    private final boolean higherIsBetter;
    private final boolean axon;

    Phase(String label, String unit, boolean higherIsBetter, boolean axon) {
        this.label = label;
        this.unit = unit;
        this.higherIsBetter = higherIsBetter;
        this.axon = axon;
    }

    /** @return whether Axon has a comparable feature (else its side is not run) */
    public boolean axon() {
        return axon;
    }

    /** @return whether the phase needs the PostgreSQL server of {@link Pg} (the default run leaves it out) */
    public boolean postgres() {
        return name().startsWith("PG_");
    }

    /** @return whether the phase seeds 10 N events (the default run leaves it out; name it in --phases) */
    public boolean large() {
        return name().endsWith("_10N");
    }

    /**
     * @return false when a warm-up iteration would warm nothing the phase measures: the take-over phase starts
     *     fresh JVMs for every round, and a warm-up iteration would only add minutes of rounds
     */
    public boolean warmsUp() {
        return this != PG_TAKEOVER;
    }

    /** @return the name printed in the table */
    public String label() {
        return label;
    }

    /** @return what a figure of this phase counts */
    public String unit() {
        return unit;
    }

    /** @return true for rates, false for times and sizes */
    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /**
     * @return how many times better than Axon the phase must be (for a rate, Rewind's rate over Axon's;
     *     for a size, Axon's over Rewind's), or NaN when the phase has no target against Axon
     */
    public double timesAxonTarget() {
        return switch (this) {
            case APPEND -> 3;
            case DISPATCH, SERIALIZED_REPLAY, UPCAST_REPLAY -> 5;
            case REPLAY -> 10;
            case MEMORY -> 2; // heap per event at most half of Axon's
            default -> Double.NaN;
        };
    }
}
