package dev.rewind.spi.projection;

import dev.rewind.projection.Decision;
import dev.rewind.projection.ParkedEvent;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Everything a runner (projection, event processor, durable subscription) keeps to resume where it
 * was, saved as one unit: a crash leaves the previous checkpoint or this one, never a mix. The same
 * record, without parked events or decisions, is a past state kept for temporal queries.
 *
 * @param name the runner's name
 * @param version the version of the state's shape and meaning that wrote it (a snapshot of another
 *     version is never restored); empty for a runner without state
 * @param origin the position before the first event this runner's instance handled: -1 when it began at
 *     position 0 (a projection always does), the store's last position at the time for a processor that
 *     started after the events already stored
 * @param position the global position of the last event handled (applied, parked or skipped), -1 for none
 * @param eventId the id of the event at {@code position} (null for -1): a store whose event there has
 *     another id, or that ends before it, is not the store this checkpoint was taken from
 * @param applied how many events were applied, in all, in {@code (origin, position]}
 * @param hash an order-independent hash of their ids (what {@code verify} compares with the store)
 * @param highWater the highest position any instance of this runner has applied (for
 *     {@code @Replaying}); at least {@code position}
 * @param parked the events parked, in global order
 * @param skipped the positions skipped by a recorded decision, ascending
 * @param decisions every recorded decision, oldest first
 * @param snapshot the state as UTF-8 JSON, or null when the runner keeps no snapshot; nobody modifies it
 * @param savedAt when it was saved
 */
public record Checkpoint(String name, String version, long origin, long position, UUID eventId, long applied, long hash,
                         long highWater, List<ParkedEvent> parked, List<Long> skipped, List<Decision> decisions,
                         byte[] snapshot, Instant savedAt) {

    /**
     * Checks and copies.
     *
     * @param name the runner's name
     * @param version the version of the state's shape and meaning that wrote it (a snapshot of another version is never restored); empty for a runner without state
     * @param origin the position before the first event this runner's instance handled: -1 when it began at position 0 (a projection always does), the store's last position at the time for a processor that started after the events already stored
     * @param position the global position of the last event handled (applied, parked or skipped), -1 for none
     * @param eventId the id of the event at {@code position} (null for -1): a store whose event there has another id, or that ends before it, is not the store this checkpoint was taken from
     * @param applied how many events were applied, in all, in {@code (origin, position]}
     * @param hash an order-independent hash of their ids (what {@code verify} compares with the store)
     * @param highWater the highest position any instance of this runner has applied (for {@code @Replaying}); at least {@code position}
     * @param parked the events parked, in global order
     * @param skipped the positions skipped by a recorded decision, ascending
     * @param decisions every recorded decision, oldest first
     * @param snapshot the state as UTF-8 JSON, or null when the runner keeps no snapshot; nobody modifies it
     * @param savedAt when it was saved
     */
    public Checkpoint {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(savedAt, "savedAt");
        if (origin < -1 || position < origin) {
            throw new IllegalArgumentException("a checkpoint's origin must be -1 or more and its position at least the"
                    + " origin, were " + origin + " and " + position);
        }
        if ((position < 0) != (eventId == null)) {
            throw new IllegalArgumentException("a checkpoint names the id of the event at its position, and only then"
                    + " (position " + position + ", event id " + eventId + ")");
        }
        parked = List.copyOf(parked);
        skipped = List.copyOf(skipped);
        decisions = List.copyOf(decisions);
    }

    /** @return whether it holds a snapshot of the state */
    public boolean hasSnapshot() {
        return snapshot != null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Checkpoint c && c.name.equals(name) && c.version.equals(version) && c.origin == origin && c.position == position
                && Objects.equals(c.eventId, eventId) && c.applied == applied && c.hash == hash
                && c.highWater == highWater && c.parked.equals(parked) && c.skipped.equals(skipped)
                && c.decisions.equals(decisions) && Arrays.equals(c.snapshot, snapshot) && c.savedAt.equals(savedAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, version, position, applied, hash, Arrays.hashCode(snapshot));
    }

    @Override
    public String toString() {
        return "Checkpoint[" + name + " " + version + " @" + position + ", applied " + applied + ", parked "
                + parked.size() + ", skipped " + skipped.size() + ", decisions " + decisions.size() + ", "
                + (snapshot == null ? "no snapshot" : snapshot.length + " bytes of snapshot") + ", saved " + savedAt + "]";
    }
}
