package dev.rewind.storage.postgres;

import dev.rewind.spi.storage.ReadDirection;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The storage's reads, each one statement on a borrowed connection. No read needs the advisory lock,
 * and none depends on other transactions: appends commit one after another in position order (see
 * {@link PostgresStorage}), so the committed rows are always exactly positions {@code 0 .. next - 1}
 * and every read sees a gap-free prefix.
 */
final class Queries {
    /** Rows per statement when visiting a position range: the replay path's page. */
    static final int PAGE = 4096;
    /** The range of PostgreSQL's timestamptz (4713 BC to 294276 AD), with a margin. */
    private static final Instant EARLIEST = Instant.parse("-4700-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("+294000-01-01T00:00:00Z");

    private final Pool pool;
    private final String forward;
    private final String backward;
    private final String lastVersion;
    private final String page;
    private final String byType;
    private final String positionOf;
    private final String next;
    private final String atOrAfter;

    Queries(Pool pool, PostgresSettings settings) {
        this.pool = pool;
        String events = settings.qualified("rewind_events");
        String select = "SELECT " + Rows.COLUMNS + " FROM " + events;
        this.forward = select + " WHERE stream_id = ? AND stream_version >= ? ORDER BY stream_version LIMIT ?";
        this.backward = select + " WHERE stream_id = ? AND stream_version <= ? ORDER BY stream_version DESC LIMIT ?";
        this.lastVersion = "SELECT coalesce(max(stream_version), -1) FROM " + events + " WHERE stream_id = ?";
        this.page = select + " WHERE global_position >= ? ORDER BY global_position LIMIT ?";
        this.byType = select + " WHERE type = ? AND global_position >= ? ORDER BY global_position LIMIT ?";
        this.positionOf = "SELECT coalesce((SELECT global_position FROM " + events + " WHERE event_id = ?), -1)";
        this.next = "SELECT coalesce(max(global_position) + 1, 0) FROM " + events;
        // recordedAt never decreases along the global order, so the first match by time is the first by position.
        this.atOrAfter = "SELECT coalesce((SELECT global_position FROM " + events
                + " WHERE (recorded_at, recorded_at_nanos) >= (?, ?)"
                + " ORDER BY recorded_at, recorded_at_nanos, global_position LIMIT 1), (" + next + "))";
    }

    List<StoredSerializedEvent> readStream(String streamId, long fromVersion, int maxCount, ReadDirection direction) {
        if (maxCount <= 0 || fromVersion < 0) {
            return List.of();
        }
        return List.copyOf(rows(direction == ReadDirection.BACKWARD ? backward : forward,
                "reading stream '" + streamId + "'", streamId, fromVersion, (long) maxCount));
    }

    long lastVersion(String streamId) {
        return number(lastVersion, "reading the version of stream '" + streamId + "'", streamId);
    }

    /**
     * Visits {@code [fromPosition, toPosition)} a page at a time; each page is read whole before it is
     * visited, so the visitor holds no connection (it may append, and so need one).
     */
    long read(long fromPosition, long toPosition, Consumer<StoredSerializedEvent> visitor) {
        long pos = Math.max(0, fromPosition);
        long count = 0;
        while (pos < toPosition) {
            List<StoredSerializedEvent> rows = rows(page, "reading from global position " + pos, pos,
                    Math.min(PAGE, toPosition - pos));
            if (rows.isEmpty()) {
                break;
            }
            for (StoredSerializedEvent e : rows) {
                visitor.accept(e);
            }
            count += rows.size();
            pos = rows.get(rows.size() - 1).globalPosition() + 1;
        }
        return count;
    }

    List<StoredSerializedEvent> readByType(String type, long fromPosition, int maxCount) {
        return List.copyOf(rows(byType, "reading events of type '" + type + "'", type, fromPosition,
                (long) Math.max(0, maxCount)));
    }

    long positionOf(UUID eventId) {
        return number(positionOf, "looking up event id " + eventId, eventId);
    }

    long nextPosition() {
        return number(next, "reading the next position");
    }

    long firstPositionAtOrAfter(Instant instant) {
        if (instant.isBefore(EARLIEST)) {
            return 0; // before anything PostgreSQL can store
        }
        if (instant.isAfter(LATEST)) {
            return nextPosition();
        }
        Object[] key = Rows.timeKey(instant);
        return number(atOrAfter, "searching the position of instant " + instant, key[0], key[1]);
    }

    private List<StoredSerializedEvent> rows(String sql, String doing, Object... args) {
        try {
            return pool.call(doing, c -> {
                try (PreparedStatement q = c.prepareStatement(sql)) {
                    bind(q, args);
                    try (ResultSet rs = q.executeQuery()) {
                        return Rows.readAll(rs);
                    }
                }
            });
        } catch (SQLException e) {
            throw SqlErrors.translate(e, doing);
        }
    }

    private long number(String sql, String doing, Object... args) {
        try {
            return pool.call(doing, c -> {
                try (PreparedStatement q = c.prepareStatement(sql)) {
                    bind(q, args);
                    try (ResultSet rs = q.executeQuery()) {
                        rs.next();
                        return rs.getLong(1);
                    }
                }
            });
        } catch (SQLException e) {
            throw SqlErrors.translate(e, doing);
        }
    }

    private static void bind(PreparedStatement q, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            q.setObject(i + 1, args[i]);
        }
    }
}
