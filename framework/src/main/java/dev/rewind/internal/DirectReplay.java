package dev.rewind.internal;

import dev.rewind.EventListener;

/**
 * Not API. Implemented by a storage that keeps payload objects (the in-memory one), so that a replay
 * goes straight from its columns to {@link dev.rewind.StoredEvent}s, without an intermediate
 * {@link dev.rewind.spi.StoredRecord} per event: on a replay of millions of events that halves what
 * is allocated, and with it the garbage collector's work.
 */
public interface DirectReplay {
    /**
     * Emits the events in {@code [from, to)} in global order. Events whose payload object is kept
     * and whose type the pipeline's registry binds to that object's class are built directly; any
     * other goes through {@link EventPipeline#decode}.
     *
     * @param from the first position (inclusive)
     * @param to the end (exclusive)
     * @param pipeline the reading store's pipeline
     * @param listener receives the events
     * @return how many events were emitted
     */
    long replayDirect(long from, long to, EventPipeline pipeline, EventListener listener);
}
