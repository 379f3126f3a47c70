package dev.rewind.spi;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * Where aggregate snapshots are kept: the state of an aggregate after a given stream version, so that
 * loading it reads only the stream's tail. A snapshot is a cache: losing one (or all) only makes
 * loading slower, never wrong. The latest snapshot per stream is enough; a storage may drop older ones.
 *
 * <p>Rewind ships {@code InMemorySnapshotStorage} and {@code FileSnapshotStorage} (a {@code snapshots/}
 * directory next to the file storage's log). Implementations are thread-safe.
 */
public interface SnapshotStorage {

    /**
     * Keeps a snapshot, replacing the stream's previous one.
     *
     * @param snapshot the snapshot
     */
    void save(Snapshot snapshot);

    /**
     * @param streamId a stream
     * @return its latest snapshot, or empty
     */
    Optional<Snapshot> load(String streamId);

    /**
     * An aggregate's serialised state after an event of its stream.
     *
     * @param streamId the stream
     * @param streamVersion the version of the last event the state includes
     * @param stateVersion identifies the aggregate class's version that wrote it (class name, declared
     *     snapshot version and a hash of its fields): a snapshot whose tag differs from the current
     *     class's is ignored
     * @param state the serialised state (UTF-8 JSON); nobody modifies it
     */
    record Snapshot(String streamId, long streamVersion, String stateVersion, byte[] state) {

        /**
         * Checks that nothing is missing.
         *
         * @param streamId the stream
         * @param streamVersion the version of the last event the state includes, 0 or more
         * @param stateVersion identifies the aggregate class's version that wrote it
         * @param state the serialised state
         */
        public Snapshot {
            Objects.requireNonNull(streamId, "streamId");
            Objects.requireNonNull(stateVersion, "stateVersion");
            Objects.requireNonNull(state, "state");
            if (streamVersion < 0) {
                throw new IllegalArgumentException("snapshot stream version must be 0 or more, was " + streamVersion);
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Snapshot s && s.streamId.equals(streamId) && s.streamVersion == streamVersion
                    && s.stateVersion.equals(stateVersion) && Arrays.equals(s.state, state);
        }

        @Override
        public int hashCode() {
            return Objects.hash(streamId, streamVersion, stateVersion, Arrays.hashCode(state));
        }

        @Override
        public String toString() {
            return "Snapshot[" + streamId + "@" + streamVersion + ", " + stateVersion + ", " + state.length + " bytes]";
        }
    }
}
