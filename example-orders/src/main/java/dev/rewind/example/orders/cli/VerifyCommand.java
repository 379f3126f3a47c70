package dev.rewind.example.orders.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rewind.EventStore;
import dev.rewind.Rewind;
import dev.rewind.StoredEvent;
import dev.rewind.storage.file.FileStorage;
import java.io.PrintWriter;
import java.nio.file.Files;
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
 * times), changing nothing; then, when the log is sound and has no torn tail (which opening would
 * truncate), opens the store and checks that its indexes answer what the log holds. Exits 1 naming
 * each problem on stderr.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "Check every checksum and the indexes; print a JSON report. "
        + "Exits 1, naming each problem on stderr, when the store is damaged.")
final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    StoreOptions store;

    @Override
    public Integer call() {
        if (!Files.isDirectory(store.fileDirectory())) {
            throw new CliException("no store at " + store.directory());
        }
        FileStorage.VerifyReport log = FileStorage.verify(store.fileDirectory());
        List<String> problems = new ArrayList<>(log.problems());
        List<String> notes = new ArrayList<>(log.notes());
        long indexChecks = 0;
        if (log.ok() && notes.isEmpty()) {
            try (Rewind rewind = store.open()) {
                indexChecks = checkIndexes(rewind.store(), problems);
            }
        } else if (log.ok()) {
            // Opening would truncate the torn tail: verify changes nothing, so the indexes are not checked.
            notes.add("indexes not checked: opening the store would truncate its torn tail");
        }
        ObjectNode report = Json.MAPPER.createObjectNode();
        report.put("directory", log.directory().toString());
        report.put("ok", problems.isEmpty());
        report.put("segments", log.segments());
        report.put("events", log.events());
        report.put("bytes", log.bytes());
        report.put("index_checks", indexChecks);
        report.set("problems", Json.tree(problems));
        report.set("notes", Json.tree(notes));
        Json.print(spec.commandLine().getOut(), report);
        if (problems.isEmpty()) {
            return 0;
        }
        PrintWriter err = spec.commandLine().getErr();
        problems.forEach(p -> err.println("error: " + p));
        err.flush();
        return 1;
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
            if (store.positionAfter(e.recordedAt()) <= e.globalPosition()) {
                problems.add("time index: " + where + " recorded at " + e.recordedAt() + " is not before position "
                        + store.positionAfter(e.recordedAt()));
            }
            lastVersion.put(e.streamId(), e.streamVersion());
            checks += 2;
            position = e.globalPosition() + 1;
        }
        for (Map.Entry<String, Long> s : lastVersion.entrySet()) {
            long indexed = store.streamVersion(s.getKey());
            if (indexed != s.getValue()) {
                problems.add("stream index: stream " + s.getKey() + " ends at version " + s.getValue()
                        + " in the log but at " + indexed + " in the index");
            }
            checks++;
        }
        if (store.headPosition() != position) {
            problems.add("head: the log holds " + position + " events, the store reports " + store.headPosition());
        }
        return checks + 1;
    }
}
