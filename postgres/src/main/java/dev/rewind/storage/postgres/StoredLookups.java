package dev.rewind.storage.postgres;

import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.StoredSerializedEvent;
import dev.rewind.storage.kernel.AppendRules;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The look-ups {@link AppendRules} needs to tell an exact retry from a duplicate, read on the
 * connection that holds the store's lock (so nothing changes under them): the positions of the
 * batch's ids in one statement, and the stored rows (with where their batches begin) a batch's length
 * at a time, so that deciding costs two or three statements, not one per event. Used once, for one
 * batch, and only when an id of it is already stored.
 */
final class StoredLookups implements AppendRules.Lookups {
    private final Connection c;
    private final String events;
    private final List<SerializedEvent> batch;
    private final long next;
    private Map<UUID, Long> positions;
    private final Map<Long, StoredSerializedEvent> rows = new HashMap<>();
    private final Map<Long, Long> batchFirst = new HashMap<>();

    /**
     * @param c the connection holding the lock
     * @param events the events table, qualified
     * @param batch the batch being appended
     * @param next the store's next position, read under the lock
     */
    StoredLookups(Connection c, String events, List<SerializedEvent> batch, long next) {
        this.c = c;
        this.events = events;
        this.batch = batch;
        this.next = next;
    }

    @Override
    public long positionOf(UUID eventId) {
        if (positions == null) {
            positions = new HashMap<>();
            try (PreparedStatement q = c.prepareStatement("SELECT event_id, global_position FROM " + events
                    + " WHERE event_id = ANY(?)")) {
                q.setArray(1, c.createArrayOf("uuid", Appender.ids(batch)));
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        positions.put(rs.getObject(1, UUID.class), rs.getLong(2));
                    }
                }
            } catch (SQLException e) {
                throw new SqlFailure(e);
            }
        }
        Long at = positions.get(eventId);
        return at == null ? -1 : at;
    }

    @Override
    public StoredSerializedEvent eventAt(long position) {
        load(position);
        return rows.get(position);
    }

    @Override
    public boolean batchStartsAt(long position) {
        if (position >= next) {
            return position == next; // the end of the last batch; nothing is stored beyond it
        }
        load(position);
        return batchFirst.get(position) == position;
    }

    /** Reads the rows from {@code position} on, as many as the batch holds and one more, unless read already. */
    private void load(long position) {
        if (rows.containsKey(position)) {
            return;
        }
        try (PreparedStatement q = c.prepareStatement("SELECT " + Rows.COLUMNS + ", batch_first FROM " + events
                + " WHERE global_position >= ? AND global_position <= ? ORDER BY global_position")) {
            q.setLong(1, position);
            q.setLong(2, position + batch.size());
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    StoredSerializedEvent e = Rows.read(rs);
                    rows.put(e.globalPosition(), e);
                    batchFirst.put(e.globalPosition(), rs.getLong(13));
                }
            }
        } catch (SQLException e) {
            throw new SqlFailure(e);
        }
    }

    /** Carries a database failure out of the look-ups, whose interface throws no checked exception. */
    static final class SqlFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SqlFailure(SQLException cause) {
            super(cause);
        }

        @Override
        public synchronized SQLException getCause() {
            return (SQLException) super.getCause();
        }

        /** @return the database failure */
        SQLException cause() {
            return getCause();
        }
    }
}
