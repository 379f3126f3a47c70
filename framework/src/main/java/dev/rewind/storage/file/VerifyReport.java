package dev.rewind.storage.file;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link FileStorage#verify(Path)} found.
 *
 * @param directory the store directory
 * @param segments the number of segment files
 * @param events the number of events whose records passed every check
 * @param bytes the size of the segment files
 * @param outcome sound, a torn tail only, or damaged
 * @param problems damage of acknowledged records (each names the segment, offset and global position);
 *     empty unless damaged
 * @param notes findings that are not damage, such as a torn tail the next open for writing cuts
 */
public record VerifyReport(Path directory, int segments, long events, long bytes, Outcome outcome,
                           List<String> problems, List<String> notes) {
    /**
     * Copies the lists.
     *
     * @param directory the store directory
     * @param segments the number of segment files
     * @param events the number of events whose records passed every check
     * @param bytes the size of the segment files
     * @param outcome sound, a torn tail only, or damaged
     * @param problems damage of acknowledged records (each names the segment, offset and global position);
     *     empty unless damaged
     * @param notes findings that are not damage, such as a torn tail the next open for writing cuts
     */
    public VerifyReport {
        problems = List.copyOf(problems);
        notes = List.copyOf(notes);
    }

    /** @return true when no acknowledged record is damaged or missing (a torn tail is no damage) */
    public boolean ok() {
        return problems.isEmpty();
    }

    /** What a verify concluded, by the same rule as an open. */
    public enum Outcome {
        /** Every record is sound and the log ends where its last batch ends. */
        SOUND,
        /** Sound, but bytes of an unacknowledged write follow the last whole batch; the next open for writing cuts them. */
        TORN_TAIL,
        /** An acknowledged record is damaged or missing (or the log is inconsistent): the store does not open. */
        DAMAGED
    }
}
