package dev.rewind.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rewind.benchmarks.axon.AxonSide;
import dev.rewind.benchmarks.rewind.RewindSide;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs one side of one phase in this JVM and prints its figures as one JSON line prefixed with
 * {@value #PREFIX} (the launcher, {@link Main}, spawns one such JVM per side and phase).
 *
 * <p>Arguments: {@code <PHASE> <rewind|axon> <N> <warm-ups> <iterations>}. There are at least
 * {@code warm-ups} warm-up iterations, and more (at most 10) until they have taken 3 s
 * ({@code -Dbench.warmup.ms}): the JIT needs time, not a count, to compile a phase.
 */
public final class Child {
    /** The prefix of the result line on standard output. */
    public static final String PREFIX = "RESULT ";
    /** Warm-ups go on until they have taken this long (the same rule for both sides). */
    private static final long WARMUP_NANOS = Long.getLong("bench.warmup.ms", 3000) * 1_000_000L;

    private Child() {
    }

    /**
     * @param args phase, side, N, warm-ups, measured iterations
     * @throws Exception when the phase fails or does not verify (the exit status is then non-zero)
     */
    public static void main(String[] args) throws Exception {
        Phase phase = Phase.valueOf(args[0]);
        String sideName = args[1];
        int n = Integer.parseInt(args[2]);
        int warmups = phase.warmsUp() ? Integer.parseInt(args[3]) : 0;
        int iterations = Integer.parseInt(args[4]);
        Side side = "axon".equals(sideName) ? new AxonSide() : new RewindSide();
        ObjectMapper json = new ObjectMapper();
        ObjectNode out = json.createObjectNode()
                .put("phase", phase.name()).put("side", sideName).put("n", n).put("unit", phase.unit())
                .put("jvm", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        Iteration iteration = side.prepare(phase, n);
        if (iteration == null) {
            out.put("status", "n/a");
        } else {
            List<Double> measured = new ArrayList<>();
            List<Double> limits = new ArrayList<>();
            ArrayNode warm = out.putArray("warmup");
            long warmStart = System.nanoTime();
            int warmed = 0;
            // the given number of warm-ups, and more (up to 10) until they have run for WARMUP_NANOS:
            // a phase whose iteration takes 0.3 s is not compiled by the JIT after one of them
            while (warmed < warmups || (warmups > 0 && warmed < 10 && System.nanoTime() - warmStart < WARMUP_NANOS)) {
                Measure.fullGc();
                double v = iteration.run();
                System.err.printf("  %s %s warm-up %.1f %s%n", phase, sideName, v, phase.unit());
                warm.add(v);
                warmed++;
            }
            for (int i = 0; i < iterations; i++) {
                Measure.fullGc();
                double v = iteration.run();
                double limit = iteration.limit();
                System.err.printf("  %s %s iteration %.1f %s%s%n", phase, sideName, v, phase.unit(),
                        Double.isNaN(limit) ? "" : String.format(" (limit measured beside it: %.1f)", limit));
                measured.add(v);
                if (!Double.isNaN(limit)) {
                    limits.add(limit);
                }
            }
            ArrayNode its = out.putArray("iterations");
            measured.forEach(its::add);
            Stats s = Stats.of(measured);
            out.put("status", "ok").put("median", s.median()).put("min", s.min()).put("max", s.max());
            if (!limits.isEmpty()) {
                limits.forEach(out.putArray("limits")::add);
                out.put("limitMedian", Stats.of(limits).median());
            }
        }
        ObjectNode extras = out.putObject("extras");
        for (Map.Entry<String, Double> e : side.extras().entrySet()) {
            extras.put(e.getKey(), e.getValue());
        }
        System.out.println(PREFIX + json.writeValueAsString(out));
        System.out.flush();
        System.exit(0); // frameworks may leave non-daemon threads behind
    }
}
