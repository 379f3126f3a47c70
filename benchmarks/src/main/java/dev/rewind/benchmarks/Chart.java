package dev.rewind.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws a run's comparison with Axon as an SVG: one bar per phase, how many times better than Axon
 * Rewind is (a rate divided by Axon's, or Axon's heap per event divided by Rewind's), on a logarithmic
 * axis, with the phase's target as a mark. Plain SVG, no library: it is committed beside the raw JSON
 * and shown in BENCHMARKS.md and README.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar chart benchmarks/results/run.json [out.svg]
 * </pre>
 */
final class Chart {
    private static final int WIDTH = 760;
    private static final int LABEL = 190;
    private static final int BAR = 22;
    private static final int GAP = 12;
    private static final int TOP = 56;
    private static final double MAX_TIMES = 32;

    private Chart() {
    }

    /**
     * @param args the run's JSON file, then optionally the SVG to write (default: the JSON's name with .svg)
     * @throws IOException when a file cannot be read or written
     */
    static void main(String[] args) throws IOException {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: chart RUN.json [OUT.svg]");
        }
        Path in = Path.of(args[0]);
        Path out = args.length > 1 ? Path.of(args[1]) : in.resolveSibling(in.getFileName().toString()
                .replaceFirst("\\.json$", "") + ".svg");
        JsonNode report = new ObjectMapper().readTree(in.toFile());
        Files.writeString(out, render(report), StandardCharsets.UTF_8);
        System.out.println("written " + out);
    }

    /** A phase's two medians, pooled over rounds. */
    private record Pair(double rewind, double axon) {
    }

    /**
     * @param report a run as Main writes it
     * @return the SVG document
     */
    static String render(JsonNode report) {
        Map<Phase, List<List<Double>>> pooled = new EnumMap<>(Phase.class);
        for (JsonNode run : report.path("runs")) {
            if (!"ok".equals(run.path("status").asText())) {
                continue;
            }
            Phase phase;
            try {
                phase = Phase.valueOf(run.path("phase").asText());
            } catch (IllegalArgumentException e) {
                continue; // a phase this build no longer has
            }
            List<List<Double>> sides = pooled.computeIfAbsent(phase, p -> List.of(new ArrayList<>(), new ArrayList<>()));
            List<Double> side = sides.get("axon".equals(run.path("side").asText()) ? 1 : 0);
            run.path("iterations").forEach(v -> side.add(v.asDouble()));
        }
        Map<Phase, Pair> pairs = new EnumMap<>(Phase.class);
        pooled.forEach((phase, sides) -> {
            if (!sides.get(0).isEmpty() && !sides.get(1).isEmpty()) {
                pairs.put(phase, new Pair(Stats.of(sides.get(0)).median(), Stats.of(sides.get(1)).median()));
            }
        });
        int height = TOP + pairs.size() * (BAR + GAP) + 40;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"13\">%n", WIDTH, height, WIDTH, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
        svg.append(text(12, 22, "Rewind against Axon Framework 4.13, same run: times better (log scale)", "bold", 15));
        svg.append(text(12, 40, escape(report.path("date").asText()) + ", N = " + report.path("n").asLong() + ", "
                + report.path("cores").asInt() + " cores; the mark is the target", "normal", 11));
        double plot = WIDTH - LABEL - 70;
        for (double t : new double[] {1, 2, 5, 10, 20}) {
            double x = LABEL + x(t, plot);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n",
                    x, TOP - 6, x, height - 30));
            svg.append(text(x - 8, height - 14, fmt(t) + "x", "normal", 11));
        }
        int y = TOP;
        for (Map.Entry<Phase, Pair> e : pairs.entrySet()) {
            Phase p = e.getKey();
            Pair v = e.getValue();
            double times = p.higherIsBetter() ? v.rewind() / v.axon() : v.axon() / v.rewind();
            double target = p.timesAxonTarget();
            boolean met = Double.isNaN(target) || times >= target;
            double w = Math.max(1, x(times, plot));
            svg.append(text(12, y + 16, p.label(), "normal", 13));
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n",
                    LABEL, y, w, BAR, met ? "#3b7dd8" : "#d8553b"));
            svg.append(text(LABEL + w + 6, y + 16, fmt(times) + "x", "bold", 13));
            if (!Double.isNaN(target)) {
                double tx = LABEL + x(target, plot);
                svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\""
                        + " stroke-width=\"2\"/>%n", tx, y - 3, tx, y + BAR + 3));
            }
            y += BAR + GAP;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** The bar length for {@code times} on a log axis from 1x (0) to {@link #MAX_TIMES} (the plot's width). */
    private static double x(double times, double plot) {
        double clamped = Math.max(1, Math.min(MAX_TIMES, times));
        return plot * Math.log(clamped) / Math.log(MAX_TIMES);
    }

    /** @return an SVG text element (the scale chart draws with it too) */
    static String text(double x, double y, String s, String weight, int size) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-weight=\"%s\" font-size=\"%d\">%s</text>%n",
                x, y, weight, size, s);
    }

    /** @return {@code s} with the characters XML reserves in text escaped */
    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String fmt(double v) {
        return v >= 10 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
