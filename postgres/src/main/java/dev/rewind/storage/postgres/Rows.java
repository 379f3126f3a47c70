package dev.rewind.storage.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rewind.Metadata;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Maps between events and rows of {@code rewind_events}. */
final class Rows {
    /** The columns every read selects, in the order {@link #read} expects. */
    static final String COLUMNS = "global_position, stream_id, stream_version, event_id, type, schema_version,"
            + " recorded_at, recorded_at_nanos, payload, correlation_id, causation_id, metadata";

    /**
     * @param table the events table, qualified
     * @return the insert {@link #bind} binds
     */
    static String insert(String table) {
        return "INSERT INTO " + table + " (" + COLUMNS
                + ", batch_first, batch_size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)";
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {
    };

    private Rows() {
    }

    /** Reads every row of a result set of {@link #COLUMNS}. */
    static List<StoredSerializedEvent> readAll(ResultSet rs) throws SQLException {
        List<StoredSerializedEvent> out = new ArrayList<>();
        while (rs.next()) {
            out.add(read(rs));
        }
        return out;
    }

    /** Reads the current row of a result set of {@link #COLUMNS}. */
    static StoredSerializedEvent read(ResultSet rs) throws SQLException {
        Instant recordedAt = instant(rs, 7);
        Metadata metadata = new Metadata(rs.getString(10), rs.getString(11), parse(rs.getString(12)));
        return new StoredSerializedEvent(rs.getObject(4, UUID.class), rs.getString(2), rs.getLong(3), rs.getLong(1),
                rs.getString(5), rs.getInt(6), recordedAt, rs.getBytes(9), metadata);
    }

    /** Binds one event to {@link #insert} and adds it to the batch. */
    static void bind(PreparedStatement insert, SerializedEvent r, String streamId, long version, long position,
                     Instant recordedAt, long batchFirst, int batchSize) throws SQLException {
        Instant micros = recordedAt.truncatedTo(ChronoUnit.MICROS);
        insert.setLong(1, position);
        insert.setString(2, streamId);
        insert.setLong(3, version);
        insert.setObject(4, r.eventId());
        insert.setString(5, r.type());
        insert.setInt(6, r.schemaVersion());
        insert.setObject(7, OffsetDateTime.ofInstant(micros, ZoneOffset.UTC));
        insert.setShort(8, (short) (recordedAt.getNano() % 1000));
        insert.setBytes(9, r.payload());
        insert.setString(10, r.metadata().correlationId());
        insert.setString(11, r.metadata().causationId());
        insert.setString(12, json(r.metadata().values()));
        insert.setLong(13, batchFirst);
        insert.setInt(14, batchSize);
        insert.addBatch();
    }

    /**
     * @param rs a result set
     * @param column the column of a {@code recorded_at}; the next one holds its {@code recorded_at_nanos}
     * @return the instant the two columns hold
     */
    static Instant instant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant().plusNanos(rs.getShort(column + 1));
    }

    /** @return the instant as stored: microseconds in one column, the nanoseconds below in another */
    static Object[] timeKey(Instant instant) {
        Instant micros = instant.truncatedTo(ChronoUnit.MICROS);
        return new Object[] {OffsetDateTime.ofInstant(micros, ZoneOffset.UTC), (short) (instant.getNano() % 1000)};
    }

    static String json(Map<String, String> values) {
        try {
            return JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write metadata as JSON: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> parse(String json) {
        try {
            return JSON.readValue(json, STRING_MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot read stored metadata as JSON: " + e.getMessage(), e);
        }
    }
}
