package dev.rewind.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one command: runs every phase of the orders workload for Rewind and for Axon Framework, each
 * side of each phase in a fresh JVM with the same flags, prints the table and writes every iteration
 * to a JSON file. The PostgreSQL phases ({@code PG_*}) run only when named in {@code --phases} or
 * when {@code --pg URL} or {@code REWIND_PG_URL} is given (see {@link Pg}).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar [--n 1000000] [--warmups 1] [--iterations 3]
 *      [--phases APPEND,DISPATCH,...] [--sides rewind,axon] [--rounds 1] [--pg jdbc:postgresql://localhost:5432/rewind_test] [--out benchmarks/results/run.json] [--jvm "-Xms4g -Xmx4g ..."]
 * java -jar benchmarks/target/benchmarks.jar jmh [JMH options]     (the micro-benchmarks)
 * java -jar benchmarks/target/benchmarks.jar chart RUN.json [OUT.svg]   (a run's comparison with Axon as an SVG)
 * java -jar benchmarks/target/benchmarks.jar chart-scale OUT.svg SCALE.json...   (the file store's cost against N)
 * </pre>
 */
public final class Main {
    /** The flags every child JVM gets (both sides alike). */
    public static final String DEFAULT_JVM = "-Xms4g -Xmx4g -XX:+AlwaysPreTouch -XX:+UseTransparentHugePages";

    /** The PostgreSQL URL handed to the children ({@code --pg} or {@code REWIND_PG_URL}), or null. */
    private static String pgUrl;

    private Main() {
    }

    /**
     * @param args options as above, or {@code jmh} followed by JMH's own options
     * @throws Exception when a child cannot be started; a failed or unverified phase exits with status 1
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && "jmh".equals(args[0])) {
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && "chart-scale".equals(args[0])) {
            ScaleChart.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && "chart".equals(args[0])) {
            Chart.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        int n = 1_000_000;
        int warmups = 1;
        int iterations = 3;
        List<Phase> phases = null;
        String pg = System.getenv("REWIND_PG_URL");
        String out = "benchmarks/results/run-" + Instant.now().toString().replace(':', '-') + ".json";
        String jvm = DEFAULT_JVM;
        String sides = "rewind,axon";
        int rounds = 1;
        try {
            for (int i = 0; i < args.length; i += 2) {
                if ("--help".equals(args[i]) || "-h".equals(args[i])) {
                    System.out.println(USAGE);
                    return;
                }
                if (i + 1 >= args.length) {
                    throw usage("option " + args[i] + " has no value");
                }
                String option = args[i];
                String value = args[i + 1];
                switch (option) {
                    case "--n" -> n = positive(option, value);
                    case "--warmups" -> warmups = atLeastZero(option, value);
                    case "--iterations" -> iterations = positive(option, value);
                    case "--phases" -> phases = phases(value);
                    case "--out" -> out = value;
                    case "--jvm" -> jvm = value;
                    case "--sides" -> sides = sides(value);
                    case "--rounds" -> rounds = positive(option, value);
                    case "--pg" -> pg = value;
                    default -> throw usage("unknown option " + option);
                }
            }
        } catch (IllegalArgumentException e) { // a mistyped option: say which, without a stack trace
            System.err.println(e.getMessage());
            System.exit(2);
        }
        if (phases == null) { // the PostgreSQL phases only when a server is named, the 10 N ones only when named
            boolean withPg = pg != null && !pg.isBlank();
            phases = Arrays.stream(Phase.values()).filter(p -> (withPg || !p.postgres()) && !p.large()).toList();
        }
        pgUrl = pg == null || pg.isBlank() ? null : pg;
        long t0 = System.nanoTime();
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode report = json.createObjectNode()
                .put("date", Instant.now().toString())
                .put("n", n).put("warmups", warmups).put("iterations", iterations).put("jvm", jvm)
                .put("cores", Runtime.getRuntime().availableProcessors())
                .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"))
                .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
                .put("command", "java -jar benchmarks/target/benchmarks.jar " + String.join(" ", args));
        ArrayNode runs = report.putArray("runs");
        Map<Phase, JsonNode[]> results = new EnumMap<>(Phase.class);
        boolean failed = false;
        report.put("rounds", rounds);
        for (Phase phase : phases) {
            JsonNode[] pair = new JsonNode[2];
            for (int round = 0; round < rounds; round++) { // the sides alternate: R, A, R, A...
                for (int s = 0; s < 2; s++) {
                    String side = s == 0 ? "rewind" : "axon";
                    if (s == 1 && !phase.axon() || !List.of(sides.split(",")).contains(side)) {
                        continue;
                    }
                    JsonNode r = runChild(json, jvm, phase, side, n, warmups, iterations);
                    ((ObjectNode) r).put("round", round);
                    runs.add(r);
                    failed |= "failed".equals(r.path("status").asText());
                    pair[s] = merge(json, pair[s], r);
                }
            }
            results.put(phase, pair);
        }
        String table = Table.render(results);
        System.out.println();
        System.out.println(table);
        report.put("table", table);
        report.put("seconds", (System.nanoTime() - t0) / 1e9);
        Path path = Path.of(out);
        if (path.getParent() != null) {
            Files.createDirectories(path.getParent());
        }
        json.writeValue(path.toFile(), report);
        Path chart = path.resolveSibling(path.getFileName().toString().replaceFirst("\\.json$", "") + ".svg");
        Files.writeString(chart, Chart.render(report), StandardCharsets.UTF_8);
        System.out.printf(Locale.ROOT, "%nwritten %s (and %s) in %.0f s%n", path, chart.getFileName(),
                (System.nanoTime() - t0) / 1e9);
        if (failed) {
            System.out.println("FAILED: at least one phase failed or did not verify (see above)");
            System.exit(1);
        }
    }

    private static final String USAGE = """
            java -jar benchmarks/target/benchmarks.jar [--n 1000000] [--warmups 1] [--iterations 3]
                 [--phases APPEND,DISPATCH,...] [--sides rewind,axon] [--rounds 1]
                 [--pg jdbc:postgresql://localhost:5432/rewind_test] [--out benchmarks/results/run.json]
                 [--jvm "-Xms4g -Xmx4g ..."]
            java -jar benchmarks/target/benchmarks.jar jmh [JMH options]
            java -jar benchmarks/target/benchmarks.jar chart RUN.json [OUT.svg]
            java -jar benchmarks/target/benchmarks.jar chart-scale OUT.svg SCALE.json...
            phases:""" + " " + Arrays.toString(Phase.values()) + """

              PG_TABLE_CATCHUP: a table projection (order_totals upserts) catching up on N events, vs Axon's tracking processor with JdbcTokenStore
              PG_TAKEOVER: SIGKILL the owner of 3 owned projections (2 JVMs): ms until the other holds every lease (p50; max in the extras)""";

    private static IllegalArgumentException usage(String what) {
        return new IllegalArgumentException(what + "\n" + USAGE);
    }

    private static int positive(String option, String value) {
        int v = atLeastZero(option, value);
        if (v == 0) {
            throw usage(option + " must be at least 1, was 0");
        }
        return v;
    }

    private static int atLeastZero(String option, String value) {
        try {
            int v = Integer.parseInt(value);
            if (v < 0) {
                throw usage(option + " must not be negative, was " + value);
            }
            return v;
        } catch (NumberFormatException e) {
            throw usage(option + " takes a whole number, was '" + value + "'");
        }
    }

    private static List<Phase> phases(String value) {
        List<Phase> list = new ArrayList<>();
        for (String name : value.split(",")) {
            try {
                list.add(Phase.valueOf(name.trim()));
            } catch (IllegalArgumentException e) {
                throw usage("--phases: unknown phase '" + name.trim() + "'");
            }
        }
        return list;
    }

    private static String sides(String value) {
        for (String side : value.split(",")) {
            if (!side.equals("rewind") && !side.equals("axon")) {
                throw usage("--sides: unknown side '" + side + "' (rewind, axon)");
            }
        }
        return value;
    }

    /** Pools the measured iterations of several rounds of one side of a phase: one median over all. */
    private static JsonNode merge(ObjectMapper json, JsonNode so, JsonNode next) {
        if (so == null || !"ok".equals(so.path("status").asText())) {
            return so == null ? next : so;
        }
        if (!"ok".equals(next.path("status").asText())) {
            return next;
        }
        List<Double> all = new ArrayList<>();
        so.get("iterations").forEach(v -> all.add(v.asDouble()));
        next.get("iterations").forEach(v -> all.add(v.asDouble()));
        Stats st = Stats.of(all);
        ObjectNode merged = json.createObjectNode().put("status", "ok")
                .put("median", st.median()).put("min", st.min()).put("max", st.max());
        all.forEach(merged.putArray("iterations")::add);
        List<Double> limits = new ArrayList<>();
        so.path("limits").forEach(v -> limits.add(v.asDouble()));
        next.path("limits").forEach(v -> limits.add(v.asDouble()));
        if (!limits.isEmpty()) {
            limits.forEach(merged.putArray("limits")::add);
            merged.put("limitMedian", Stats.of(limits).median());
        }
        return merged;
    }

    private static JsonNode runChild(ObjectMapper json, String jvm, Phase phase, String side, int n,
            int warmups, int iterations) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(jvm.trim().split("\\s+")));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Child.class.getName(),
                phase.name(), side, Integer.toString(n), Integer.toString(warmups), Integer.toString(iterations)));
        System.err.printf("%s / %s ...%n", phase.label(), side);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        if (pgUrl != null) {
            pb.environment().put("REWIND_PG_URL", pgUrl);
        }
        Process p = pb.start();
        JsonNode result = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith(Child.PREFIX)) {
                    result = json.readTree(line.substring(Child.PREFIX.length()));
                } else {
                    System.err.println("  " + line);
                }
            }
        }
        int exit = p.waitFor();
        if (exit != 0 || result == null) {
            return json.createObjectNode().put("phase", phase.name()).put("side", side).put("n", n)
                    .put("status", "failed").put("exit", exit);
        }
        return result;
    }
}
