package dev.rewind.example.orders.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rewind.ProjectionStatus;
import dev.rewind.Rewind;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code projections}: every projection with its health and its state (every event stored included: an
 * asynchronous projection is waited for). {@code status} gives the runtime's figures.
 */
@Command(name = "projections", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "List the projections with their status and state, as one JSON object.")
final class ProjectionsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    StoreOptions store;

    @Override
    public Integer call() {
        ObjectNode doc = Json.MAPPER.createObjectNode();
        try (Rewind rewind = store.openReadOnly()) {
            dev.rewind.projection.ReadPoint all = StoreOptions.everythingStored(rewind);
            for (String name : new TreeSet<>(rewind.projections().names())) {
                ProjectionStatus status = rewind.projections().status(name);
                ObjectNode p = doc.putObject(name);
                p.put("status", status.failed() ? "failed" : "running");
                p.put("last_position", status.lastPosition());
                if (status.failed()) {
                    p.put("failedAt", status.failedAt());
                    p.put("error", status.error());
                }
                p.set("state", Json.tree(status.failed() ? rewind.projections().state(name)
                        : rewind.projections().state(name, all)));
            }
        }
        Json.print(spec.commandLine().getOut(), doc);
        return 0;
    }
}
