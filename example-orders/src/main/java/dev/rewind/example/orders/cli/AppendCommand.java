package dev.rewind.example.orders.cli;

import dev.rewind.AppendResult;
import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.RawEvent;
import dev.rewind.Rewind;
import dev.rewind.annotation.Event;
import dev.rewind.example.orders.domain.OrderEvent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code append}: stores one event given as JSON, with optimistic concurrency. */
@Command(name = "append", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "Append one event (its payload as JSON) to a stream; prints the stored event. The JSON is "
        + "bound strictly (no coercion such as \"3\" or 2.7 for an int, no field twice, nothing after the object) "
        + "and stored in canonical form.")
final class AppendCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    StoreOptions store;

    @Option(names = "--stream", required = true, paramLabel = "STREAM", description = "The stream, for example order-1003.")
    String stream;

    @Option(names = "--type", required = true, paramLabel = "TYPE", description = "The event type name, for example OrderPlaced.")
    String type;

    @Option(names = "--expected-version", paramLabel = "any|no-stream|N", defaultValue = "any",
            converter = Values.Expected.class,
            description = "What the stream must be at: any (default), no-stream, or the version of its last event.")
    ExpectedVersion expected;

    @Option(names = "--schema-version", paramLabel = "N", converter = Values.SchemaVersion.class,
            description = "The schema version the JSON is written at (default: the type's current version).")
    Integer schemaVersion;

    @Option(names = "--event-id", paramLabel = "UUID", description = "The event's id (default: a random one).")
    UUID eventId;

    @Option(names = "--correlation-id", paramLabel = "ID", description = "The correlation id stored in its metadata.")
    String correlationId;

    @Parameters(index = "0", paramLabel = "JSON", description = "The payload, a JSON object.")
    String json;

    @Override
    public Integer call() {
        RawEvent raw = new RawEvent(eventId == null ? UUID.randomUUID() : eventId, type,
                schemaVersion == null ? currentVersion(type) : schemaVersion,
                json.getBytes(StandardCharsets.UTF_8),
                correlationId == null ? Metadata.EMPTY : Metadata.correlatedBy(correlationId));
        try (Rewind rewind = store.openForWriting()) {
            AppendResult result = rewind.store().appendRaw(stream, expected, List.of(raw));
            EventsOut.print(spec.commandLine().getOut(), result.events());
        }
        return 0;
    }

    /** The current version of a type of the orders domain; 1 for a name it does not know (the store then says so). */
    static int currentVersion(String type) {
        return Arrays.stream(OrderEvent.class.getPermittedSubclasses())
                .map(c -> c.getAnnotation(Event.class))
                .filter(e -> e.name().equals(type))
                .mapToInt(Event::version)
                .findFirst()
                .orElse(1);
    }
}
