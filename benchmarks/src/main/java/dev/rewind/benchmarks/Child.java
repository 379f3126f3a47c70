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
 * <p>Arguments: {@code <PHASE> <rewind|axon> <N> <warm-ups> <iterations>}.
 */
public final class Child {
    /** The prefix of the result line on standard output. */
    public static final String PREFIX = "RESULT ";

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
        int warmups = Integer.parseInt(args[3]);
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
            ArrayNode warm = out.putArray("warmup");
            for (int i = 0; i < warmups + iterations; i++) {
                Measure.fullGc();
                double v = iteration.run();
                System.err.printf("  %s %s %s %.1f %s%n", phase, sideName, i < warmups ? "warm-up" : "iteration", v, phase.unit());
                if (i < warmups) {
                    warm.add(v);
                } else {
                    measured.add(v);
                }
            }
            ArrayNode its = out.putArray("iterations");
            measured.forEach(its::add);
            Stats s = Stats.of(measured);
            out.put("status", "ok").put("median", s.median()).put("min", s.min()).put("max", s.max());
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
