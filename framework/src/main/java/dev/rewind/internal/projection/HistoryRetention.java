package dev.rewind.internal.projection;

import dev.rewind.spi.projection.HistoryEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * Which past states to drop when there are too many, or too many bytes of them: the one whose removal
 * leaves the smallest gap between its neighbours, again and again, never the newest. The states kept
 * thus stay spread over the whole history (a temporal query far back still starts near its point), where
 * dropping the oldest would leave the early history with none.
 */
final class HistoryRetention {
    private HistoryRetention() {
    }

    static List<Long> toDelete(List<HistoryEntry> kept, int maxCount, long maxBytes) {
        List<HistoryEntry> left = new ArrayList<>(kept);
        long bytes = 0;
        for (HistoryEntry e : left) {
            bytes += e.bytes();
        }
        List<Long> out = new ArrayList<>();
        while (left.size() > 1 && (left.size() > maxCount || bytes > maxBytes)) {
            int best = 0;
            long bestGap = Long.MAX_VALUE;
            for (int i = 0; i < left.size() - 1; i++) {
                long before = i == 0 ? -1 : left.get(i - 1).position();
                long gap = left.get(i + 1).position() - before;
                if (gap < bestGap) {
                    bestGap = gap;
                    best = i;
                }
            }
            HistoryEntry dropped = left.remove(best);
            bytes -= dropped.bytes();
            out.add(dropped.position());
        }
        return out;
    }
}
