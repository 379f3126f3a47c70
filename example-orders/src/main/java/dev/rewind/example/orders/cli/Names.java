package dev.rewind.example.orders.cli;

import dev.rewind.ProjectionStatus;
import dev.rewind.Rewind;
import java.util.TreeSet;

/** Checks a runner name given on the command line, naming the known ones. */
final class Names {
    private Names() {
    }

    /**
     * @param rewind the started Rewind
     * @param name a projection or processor name, or null for all
     * @throws CliException naming the known ones when no runner has it
     */
    static void require(Rewind rewind, String name) {
        if (name == null) {
            return;
        }
        TreeSet<String> known = new TreeSet<>();
        for (ProjectionStatus s : rewind.projections().statuses()) {
            known.add(s.name());
        }
        if (!known.contains(name)) {
            throw new CliException("no projection or processor '" + name + "' (known: " + String.join(", ", known) + ")");
        }
    }
}
