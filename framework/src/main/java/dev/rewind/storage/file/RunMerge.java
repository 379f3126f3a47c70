package dev.rewind.storage.file;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Merges neighbouring runs into one covering their whole range: offsets and samples are concatenated,
 * ids and stream entries merged in order, reading each input sequentially a chunk at a time, so a
 * merge holds a few chunks and the new filter in the heap whatever the runs' sizes.
 */
final class RunMerge {
    private static final int CHUNK = 2048;

    private RunMerge() {
    }

    /** @return the contents of one run covering every input (they are neighbours, in position order) */
    static Run.Contents of(List<Run> inputs) {
        return of(inputs, () -> false);
    }

    /**
     * The same, abandoned (a {@link java.util.concurrent.CancellationException} from a cursor) as soon as
     * {@code stop} says so: a closing store does not wait for a long merge.
     */
    static Run.Contents of(List<Run> inputs, java.util.function.BooleanSupplier stop) {
        Run first = inputs.get(0);
        Run last = inputs.get(inputs.size() - 1);
        long ids = 0;
        long streams = 0;
        long keys = 0;
        long newStreams = 0;
        for (int i = 0; i < inputs.size(); i++) {
            Run r = inputs.get(i);
            if (i > 0 && inputs.get(i - 1).to != r.from) {
                throw new IllegalArgumentException("runs to merge are not neighbours: " + inputs);
            }
            ids += r.ids;
            streams += r.streams;
            keys += r.streamKeys;
            newStreams += r.newStreams;
        }
        int samples = Run.samples(first.from, last.to);
        long[] second = new long[samples];
        int[] nano = new int[samples];
        int s = 0;
        for (Run r : inputs) {
            int n = Run.samples(r.from, r.to);
            r.samplesInto(second, nano, s);
            s += n;
        }
        return new Run.Contents(first.from, last.to, first.fromOffset, new Offsets(inputs, stop), ids,
                new Ids(inputs, stop), streams, new Streams(inputs, stop), Math.min(keys, streams), newStreams, second, nano, first.firstSecond,
                first.firstNano, last.lastSecond, last.lastNano);
    }

    private static void checkStop(java.util.function.BooleanSupplier stop) {
        if (stop.getAsBoolean()) {
            throw new java.util.concurrent.CancellationException("the store is closing");
        }
    }

    /** The offsets of each input in turn. */
    private static final class Offsets implements Run.OffsetCursor {
        private final List<Run> inputs;
        private int run;
        private int next;
        private int[] chunk = new int[0];
        private int at;

        private final java.util.function.BooleanSupplier stop;

        Offsets(List<Run> inputs, java.util.function.BooleanSupplier stop) {
            this.inputs = inputs;
            this.stop = stop;
            this.next = inputs.get(0).from;
        }

        @Override
        public int next() {
            while (at == chunk.length) {
                Run r = inputs.get(run);
                if (next == r.to) {
                    run++;
                    next = inputs.get(run).from;
                    continue;
                }
                int q = Math.min(r.to, next + 8 * CHUNK);
                checkStop(stop);
                chunk = r.scanOffsets(next, q);
                next = q;
                at = 0;
            }
            return chunk[at++];
        }
    }

    /** One input's entries, read a chunk at a time. */
    private abstract static class Source {
        final Run run;
        final long total;
        final int width;
        final java.util.function.BooleanSupplier stop;
        long read;
        ByteBuffer chunk;
        int at;
        int inChunk;

        Source(Run run, long total, int width, java.util.function.BooleanSupplier stop) {
            this.run = run;
            this.stop = stop;
            this.total = total;
            this.width = width;
        }

        /** @return false when exhausted; else the current entry is at {@link #at} in {@link #chunk} */
        boolean advance() {
            at += width;
            if (at < inChunk * width) {
                return true;
            }
            if (read == total) {
                return false;
            }
            int n = (int) Math.min(CHUNK, total - read);
            checkStop(stop);
            chunk = fetch(read, n);
            read += n;
            inChunk = n;
            at = 0;
            return true;
        }

        abstract ByteBuffer fetch(long i, int n);
    }

    /** The k-way merge of the inputs' id entries (ids are unique across runs). */
    private static final class Ids implements Run.IdCursor {
        private final Source[] sources;
        private final boolean[] live;
        private Source current;
        private boolean started;

        Ids(List<Run> inputs, java.util.function.BooleanSupplier stop) {
            sources = new Source[inputs.size()];
            live = new boolean[inputs.size()];
            for (int i = 0; i < sources.length; i++) {
                Run r = inputs.get(i);
                sources[i] = new Source(r, r.ids, Run.ID_ENTRY, stop) {
                    @Override
                    ByteBuffer fetch(long i, int n) {
                        return run.idEntries(i, n);
                    }
                };
                sources[i].at = -Run.ID_ENTRY;
            }
        }

        @Override
        public boolean next() {
            if (!started) {
                for (int i = 0; i < sources.length; i++) {
                    live[i] = sources[i].advance();
                }
                started = true;
            } else {
                int i = indexOf(current);
                live[i] = current.advance();
            }
            current = null;
            for (int i = 0; i < sources.length; i++) {
                if (live[i] && (current == null || Run.compareIds(msbOf(sources[i]), lsbOf(sources[i]),
                        msbOf(current), lsbOf(current)) < 0)) {
                    current = sources[i];
                }
            }
            return current != null;
        }

        private int indexOf(Source s) {
            for (int i = 0; i < sources.length; i++) {
                if (sources[i] == s) {
                    return i;
                }
            }
            throw new IllegalStateException();
        }

        private static long msbOf(Source s) {
            return s.chunk.getLong(s.at);
        }

        private static long lsbOf(Source s) {
            return s.chunk.getLong(s.at + 8);
        }

        @Override
        public long msb() {
            return msbOf(current);
        }

        @Override
        public long lsb() {
            return lsbOf(current);
        }

        @Override
        public int position() {
            return current.chunk.getInt(current.at + 16);
        }
    }

    /** The k-way merge of the inputs' stream entries. */
    private static final class Streams implements Run.StreamCursor {
        private final Source[] sources;
        private final boolean[] live;
        private Source current;
        private boolean started;

        Streams(List<Run> inputs, java.util.function.BooleanSupplier stop) {
            sources = new Source[inputs.size()];
            live = new boolean[inputs.size()];
            for (int i = 0; i < sources.length; i++) {
                Run r = inputs.get(i);
                sources[i] = new Source(r, r.streams, Run.STREAM_ENTRY, stop) {
                    @Override
                    ByteBuffer fetch(long i, int n) {
                        return run.streamEntries(i, n);
                    }
                };
                sources[i].at = -Run.STREAM_ENTRY;
            }
        }

        @Override
        public boolean next() {
            if (!started) {
                for (int i = 0; i < sources.length; i++) {
                    live[i] = sources[i].advance();
                }
                started = true;
            } else {
                for (int i = 0; i < sources.length; i++) {
                    if (sources[i] == current) {
                        live[i] = current.advance();
                    }
                }
            }
            current = null;
            for (int i = 0; i < sources.length; i++) {
                if (live[i] && (current == null || compare(sources[i], current) < 0)) {
                    current = sources[i];
                }
            }
            return current != null;
        }

        private static int compare(Source a, Source b) {
            int c = Run.compareStream(a.chunk.getLong(a.at), a.chunk.getInt(a.at + 8), b.chunk.getLong(b.at),
                    b.chunk.getInt(b.at + 8));
            return c != 0 ? c : Integer.compare(a.chunk.getInt(a.at + 12), b.chunk.getInt(b.at + 12));
        }

        @Override
        public long hash() {
            return current.chunk.getLong(current.at);
        }

        @Override
        public int version() {
            return current.chunk.getInt(current.at + 8);
        }

        @Override
        public int position() {
            return current.chunk.getInt(current.at + 12);
        }

        @Override
        public int offset() {
            return current.chunk.getInt(current.at + 16);
        }

        @Override
        public int length() {
            return current.chunk.getInt(current.at + 20);
        }
    }
}
