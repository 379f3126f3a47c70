package dev.rewind.example.orders.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rewind.Rewind;
import dev.rewind.StoredEvent;
import dev.rewind.storage.file.FileStorage;
import dev.rewind.storage.file.FileStorageStats;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code stats}: figures about a store. */
@Command(name = "stats", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "Print figures about the store as one JSON object: events, streams, "
        + "events per type, first and last recording time, segments and bytes.")
final class StatsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    StoreOptions store;

    @Override
    public Integer call() {
        FileStorage storage = store.openStorageReadOnly();
        ObjectNode doc = Json.MAPPER.createObjectNode();
        try (Rewind rewind = StoreOptions.withApp(storage)) {
            FileStorageStats stats = storage.stats();
            Map<String, Long> byType = new TreeMap<>();
            StoredEvent<?> first = null;
            StoredEvent<?> last = null;
            for (StoredEvent<?> e : AllEvents.of(rewind.store())) {
                byType.merge(e.type(), 1L, Long::sum);
                first = first == null ? e : first;
                last = e;
            }
            doc.put("directory", stats.directory().toAbsolutePath().normalize().toString());
            doc.put("events", stats.events());
            doc.put("streams", stats.streams());
            doc.set("events_by_type", Json.tree(byType));
            doc.put("first_recorded_at", first == null ? null : first.recordedAt().toString());
            doc.put("last_recorded_at", last == null ? null : last.recordedAt().toString());
            doc.put("segments", stats.segments());
            doc.put("bytes", stats.bytes());
            doc.put("durability", stats.durability().toString());
        }
        Json.print(spec.commandLine().getOut(), doc);
        return 0;
    }
}
