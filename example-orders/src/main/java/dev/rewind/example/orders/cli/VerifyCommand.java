package dev.rewind.example.orders.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rewind.ProjectionStatus;
import dev.rewind.projection.ProjectionVerification;
import dev.rewind.EventStore;
import dev.rewind.Rewind;
import dev.rewind.StoredEvent;
import dev.rewind.storage.file.FileStorage;
import dev.rewind.storage.file.VerifyReport;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code verify}: checks every record of the log (length, checksum, positions, stream versions, ids,
 * times) and tells a torn tail of an unacknowledged write from damage of an acknowledged record, by the
 * rule an open applies; then, unless damaged, opens the store read-only and checks that its indexes
 * answer what the log holds, and that every projection and processor applied exactly the events the
 * store holds up to its position (a count and a hash of event ids kept with its checkpoint). It changes
 * nothing. Exit code: 0 sound, 1 damaged or a projection that skipped or repeated an event (each problem on
 * stderr), 3 a torn tail only (the next write cuts it).
 */
@Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "Check every checksum, the indexes, and that each projection applied every stored event once,"
                + " changing nothing; print a JSON report. The exit code says what it found (below).",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:sound",
            "1:damaged: an acknowledged record is damaged or missing, or an index disagrees with the log "
                + "(each problem on stderr as error: ...); the store does not open until it is repaired; or a "
                + "projection or processor skipped or repeated an event (rebuild it)",
            "3:a torn tail only: the bytes of an unacknowledged write after the last whole batch (on stderr as "
                + "note: ...); every event before it reads, and the next write cuts it"})
final class VerifyCommand implements Callable<Integer> {
    /** The exit code of a store whose only finding is a torn tail. */
    static final int TORN_TAIL = 3;

    @Spec
    CommandSpec spec;
    @Mixin
    StoreOptions store;

    @Override
    public Integer call() {
        VerifyReport log = FileStorage.verify(store.fileDirectory());
        List<String> problems = new ArrayList<>(log.problems());
        List<String> notes = new ArrayList<>(log.notes());
        long indexChecks = 0;
        ArrayNode projections = Json.MAPPER.createArrayNode();
        if (log.outcome() != VerifyReport.Outcome.DAMAGED) {
            try (Rewind rewind = StoreOptions.withApp(store.openStorageReadOnly())) {
                indexChecks = checkIndexes(rewind.store(), problems);
                checkProjections(rewind, projections, problems);
            }
        }
        String outcome = !problems.isEmpty() ? "damaged"
                : log.outcome() == VerifyReport.Outcome.TORN_TAIL ? "torn_tail" : "sound";
        ObjectNode report = Json.MAPPER.createObjectNode();
        report.put("directory", log.directory().toString());
        report.put("ok", problems.isEmpty());
        report.put("outcome", outcome);
        report.put("segments", log.segments());
        report.put("events", log.events());
        report.put("bytes", log.bytes());
        report.put("index_checks", indexChecks);
        report.set("projections", projections);
        report.set("problems", Json.tree(problems));
        report.set("notes", Json.tree(notes));
        Json.print(spec.commandLine().getOut(), report);
        PrintWriter err = spec.commandLine().getErr();
        if (!problems.isEmpty()) {
            problems.forEach(p -> err.println("error: " + p));
            err.flush();
            return 1;
        }
        if (outcome.equals("torn_tail")) {
            notes.forEach(n -> err.println("note: " + n));
            err.flush();
            return TORN_TAIL;
        }
        return 0;
    }

    /**
     * Verifies every projection and processor once the asynchronous ones have caught up (as far as they
     * can): what each counted as applied against the store.
     */
    private static void checkProjections(Rewind rewind, ArrayNode out, List<String> problems) {
        for (String name : rewind.projections().names()) {
            if (!rewind.projections().status(name).failed()) {
                try {
                    rewind.projections().state(name, StoreOptions.everythingStored(rewind));
                } catch (dev.rewind.projection.StaleProjectionException stopped) {
                    // it stopped at a failing event: verified up to there
                }
            }
        }
        for (ProjectionStatus s : rewind.projections().statuses()) {
            ProjectionVerification v = rewind.projections().verify(s.name());
            ObjectNode n = out.addObject();
            n.put("name", v.name());
            n.put("ok", v.ok());
            n.put("position", v.position());
            n.put("expected_events", v.expectedEvents());
            n.put("applied_events", v.appliedEvents());
            if (!v.ok()) {
                n.put("problem", v.problem());
                problems.add(v.problem());
            }
        }
    }

    /** Reads the whole log in order and asks the indexes about every event; returns how many answers were checked. */
    private static long checkIndexes(EventStore store, List<String> problems) {
        Map<String, Long> lastVersion = new HashMap<>();
        long checks = 0;
        long position = 0;
        for (StoredEvent<?> e : AllEvents.of(store)) {
            String where = "event " + e.eventId() + " at global position " + e.globalPosition();
            if (store.positionOf(e.eventId()) != e.globalPosition()) {
                problems.add("event-id index: " + where + " is indexed at " + store.positionOf(e.eventId()));
            }
            if (store.firstPositionAfter(e.recordedAt()) <= e.globalPosition()) {
                problems.add("time index: " + where + " recorded at " + e.recordedAt() + " is not before position "
                        + store.firstPositionAfter(e.recordedAt()));
            }
            lastVersion.put(e.streamId(), e.streamVersion());
            checks += 2;
            position = e.globalPosition() + 1;
        }
        for (Map.Entry<String, Long> s : lastVersion.entrySet()) {
            long indexed = store.lastVersion(s.getKey());
            if (indexed != s.getValue()) {
                problems.add("stream index: stream " + s.getKey() + " ends at version " + s.getValue()
                        + " in the log but at " + indexed + " in the index");
            }
            checks++;
        }
        if (store.nextPosition() != position) {
            problems.add("head: the log holds " + position + " events, the store reports " + store.nextPosition());
        }
        return checks + 1;
    }
}
