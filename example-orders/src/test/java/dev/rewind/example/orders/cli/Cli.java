package dev.rewind.example.orders.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Runs the CLI in-process, capturing stdout, stderr and the exit code. */
final class Cli {
    private Cli() {
    }

    /** What one run printed and returned. */
    record Run(int exitCode, String out, String err) {

        /** @return stdout as one JSON document */
        JsonNode json() {
            try {
                return Json.MAPPER.readTree(out);
            } catch (IOException e) {
                throw new UncheckedIOException("stdout is not one JSON document: " + out, e);
            }
        }

        /** @return stdout as JSON lines */
        List<JsonNode> lines() {
            List<JsonNode> events = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (!line.isEmpty()) {
                    try {
                        events.add(Json.MAPPER.readTree(line));
                    } catch (IOException e) {
                        throw new UncheckedIOException("not a JSON line: " + line, e);
                    }
                }
            }
            return events;
        }

        /** @return the global positions of the events printed, in order */
        List<Long> positions() {
            return lines().stream().map(n -> n.get("globalPosition").asLong()).toList();
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = RewindOrdersCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
