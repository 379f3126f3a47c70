package dev.rewind.spi;

import java.util.List;

/**
 * What {@link EventStorage#append} did.
 *
 * @param records the stored records of the batch, in order (the original ones for an exact retry)
 * @param alreadyAppended true when the batch was an exact retry and nothing was written
 */
public record AppendOutcome(List<StoredRecord> records, boolean alreadyAppended) {
    /** Copies the list. */
    public AppendOutcome {
        records = List.copyOf(records);
    }
}
