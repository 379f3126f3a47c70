package dev.rewind.example.orders.web.api;

import dev.rewind.EventStore;
import dev.rewind.ProjectionStatus;
import dev.rewind.Projections;
import dev.rewind.StoredEvent;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import dev.rewind.projection.ReadPoint;
import dev.rewind.projection.StaleProjectionException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The read side over HTTP: projections now, as of an instant or as of a position, and the events by
 * stream, by position and by time range. Nothing here writes.
 */
@RestController
@RequestMapping("/api")
public class QueriesController {
    /** The most events one request returns; {@code next} in the answer says where to go on. */
    public static final int MAX_LIMIT = 10_000;
    private final EventStore store;
    private final Projections projections;

    /**
     * @param store the starter's event store bean
     * @param projections the starter's projections bean
     */
    public QueriesController(EventStore store, Projections projections) {
        this.store = store;
        this.projections = projections;
    }

    /**
     * A projection's health.
     *
     * @param name the projection
     * @param lastPosition the last event it applied, -1 before the first
     * @param failedAt the event it failed on, -1 when running
     * @param error why it failed, or null
     */
    public record ProjectionSummary(String name, long lastPosition, long failedAt, String error) {
    }

    /**
     * A projection's state at one point of the log.
     *
     * @param name the projection
     * @param asOf the instant asked for ({@code ?at=}), or null
     * @param position the position asked for ({@code ?position=}), or null
     * @param eventsIncluded how many events the state reflects (those at positions below this number); for
     *     the state now, at least that many (an asynchronous projection may have applied more meanwhile)
     * @param state what its {@code @QueryState} method returns
     */
    public record ProjectionState(String name, String asOf, Long position, long eventsIncluded, Object state) {
    }

    /**
     * Events in order.
     *
     * @param events the events
     * @param next where to continue ({@code from=} of the next request) when the limit cut the answer
     *     short, else null
     */
    public record EventPage(List<EventView> events, Long next) {
    }

    /** @return every projection with its status, by name */
    @GetMapping("/projections")
    public List<ProjectionSummary> projections() {
        return projections.names().stream().sorted().map(n -> {
            ProjectionStatus s = projections.status(n);
            return new ProjectionSummary(n, s.lastPosition(), s.failedAt(), s.error());
        }).toList();
    }

    /**
     * @param name a projection
     * @param at an ISO-8601 instant: the state from the events recorded at or before it
     * @param position a global position: the state from the events up to it (inclusive), -1 for none
     * @param minPosition for the state now: wait (up to {@link ReadPoint#DEFAULT_TIMEOUT}) until the
     *     projection has applied this position, for example that of the events a command just stored
     *     (order_totals and revenue_by_currency are asynchronous, and may trail the store by a batch)
     * @return the state now, or as of {@code at} or {@code position} (only one of the three)
     */
    @GetMapping("/projections/{name}")
    public ProjectionState state(@PathVariable String name, @RequestParam(required = false) String at,
                                 @RequestParam(required = false) Long position,
                                 @RequestParam(required = false) Long minPosition) {
        if (!projections.names().contains(name)) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "unknown projection '" + name + "': the projections are "
                    + projections.names().stream().sorted().toList());
        }
        if ((at != null ? 1 : 0) + (position != null ? 1 : 0) + (minPosition != null ? 1 : 0) > 1) {
            throw badRequest("give 'at', 'position' or 'minPosition', not both");
        }
        if (at != null) {
            Instant instant = instant("at", at);
            // read the position first: the state below may include an event appended meanwhile, never miss one
            long included = store.firstPositionAfter(instant);
            return new ProjectionState(name, instant.toString(), null, included, projections.stateAt(name, instant));
        }
        if (position != null) {
            if (position < -1) {
                throw badRequest("'position' must be -1 (before the first event) or more, was " + position);
            }
            long included = Math.min(position + 1, store.nextPosition());
            return new ProjectionState(name, null, position, included, projections.stateAtPosition(name, position));
        }
        if (minPosition != null) {
            if (minPosition < 0) {
                throw badRequest("'minPosition' must be 0 or more, was " + minPosition);
            }
            try {
                Object state = projections.state(name, ReadPoint.atLeast(minPosition));
                return new ProjectionState(name, null, null, minPosition + 1, state);
            } catch (StaleProjectionException e) {
                throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage(), e);
            }
        }
        // what the projection has applied, read before its state (which may include more, never less): an
        // asynchronous one may trail the store
        long included = projections.status(name).lastPosition() + 1;
        return new ProjectionState(name, null, null, included, projections.state(name));
    }


    /**
     * By position ({@code from}) or by time ({@code start} inclusive, {@code end} exclusive), not both.
     *
     * @param from the first global position, 0 when no time range is given
     * @param start the first instant (inclusive), ISO-8601
     * @param end the instant the range stops before (exclusive), ISO-8601
     * @param limit how many events at most, 1 to {@value #MAX_LIMIT}
     * @return the events, in global order
     */
    @GetMapping("/events")
    public EventPage events(@RequestParam(required = false) Long from, @RequestParam(required = false) String start,
                            @RequestParam(required = false) String end, @RequestParam(defaultValue = "1000") int limit) {
        checkLimit(limit);
        long first;
        long upper; // the position the answer stops before
        if (start != null || end != null) {
            if (from != null) {
                throw badRequest("give 'from' (a position) or 'start' and 'end' (a time range), not both");
            }
            if (start == null || end == null) {
                throw badRequest("a time range needs both 'start' (inclusive) and 'end' (exclusive)");
            }
            Instant s = instant("start", start);
            Instant e = instant("end", end);
            // recordedAt never decreases along the global order, so [start, end) is one run of positions
            first = store.firstPositionAtOrAfter(s);
            upper = s.isBefore(e) ? store.firstPositionAtOrAfter(e) : first;
        } else {
            first = from == null ? 0 : from;
            if (first < 0) {
                throw badRequest("'from' must be 0 or more, was " + first);
            }
            upper = store.nextPosition();
        }
        if (first >= upper) {
            return new EventPage(List.of(), null);
        }
        int count = (int) Math.min(limit, upper - first);
        List<StoredEvent<?>> events = store.readAll(first, count);
        long after = first + events.size();
        return new EventPage(EventView.of(events), after < upper ? after : null);
    }

    /**
     * @param streamId a stream, for example {@code order-1001}
     * @param from the first stream version, 0 or more
     * @param limit how many events at most, 1 to {@value #MAX_LIMIT}
     * @return the stream's events in order; none for a stream that does not exist
     */
    @GetMapping("/streams/{streamId}/events")
    public EventPage stream(@PathVariable String streamId, @RequestParam(defaultValue = "0") long from,
                            @RequestParam(defaultValue = "1000") int limit) {
        checkLimit(limit);
        if (from < 0) {
            throw badRequest("'from' must be 0 or more, was " + from);
        }
        List<StoredEvent<?>> events = store.readStream(streamId, from, limit);
        Long next = events.size() == limit && from + limit <= store.lastVersion(streamId) ? from + limit : null;
        return new EventPage(EventView.of(events), next);
    }

    private static void checkLimit(int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw badRequest("'limit' must be 1 to " + MAX_LIMIT + ", was " + limit);
        }
    }

    private static Instant instant(String parameter, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw badRequest("'" + parameter + "' must be an ISO-8601 instant such as 2024-05-01T15:00:00Z, was '"
                    + ApiErrors.shorten(text) + "'");
        }
    }

    private static ResponseStatusException badRequest(String message) {
        return new ResponseStatusException(HttpStatus.BAD_REQUEST, message);
    }
}
