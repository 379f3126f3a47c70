package dev.rewind.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Draws the file store's cost against N from {@link FileStoreScale} runs as an SVG: one panel per cost
 * (heap per event, open after a clean close, open after a SIGKILL, a stream read's p99, disk per event),
 * one bar per N, the target as a line where the issue gives one. A flat row of bars is the point: the
 * costs that must not grow with N do not.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar chart-scale OUT.svg scale-1m.json scale-10m.json scale-100m.json
 * </pre>
 */
final class ScaleChart {
    private static final int PANEL_W = 230;
    private static final int PANEL_H = 190;
    private static final int TOP = 60;

    /** One cost: where it is in a run's JSON, its target (NaN: reported only) and the N it starts at. */
    private record Cost(String title, String phase, String key, String unit, double target, long targetFromN) {
        Cost(String title, String phase, String key, String unit, double target) {
            this(title, phase, key, unit, target, 0);
        }
    }

    private static final List<Cost> COSTS = List.of(
            new Cost("heap held by the open store", "heap", "heap bytes/event (measured, after full GC)",
                    "bytes/event, target from 10M", 4, 10_000_000),
            new Cost("open after a clean close", "open", "open s", "s", 1),
            new Cost("open after SIGKILL (constant part)", "kill", "the rest (constant) s", "s", 1),
            new Cost("read one stream, p99", "streams", "p99 us", "us", Double.NaN),
            new Cost("disk, log and indexes", "open", "disk bytes/event, total", "bytes/event", Double.NaN),
            new Cost("replay", "replay", "events/s", "events/s", Double.NaN));

    private ScaleChart() {
    }

    /**
     * @param args the SVG to write, then one or more JSON files written by {@link FileStoreScale}
     * @throws IOException when a file cannot be read or written
     */
    static void main(String[] args) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: chart-scale OUT.svg RUN.json [RUN.json ...]");
        }
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> runs = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            runs.add(json.readTree(Path.of(args[i]).toFile()));
        }
        Path out = Path.of(args[0]);
        Files.writeString(out, render(runs), StandardCharsets.UTF_8);
        System.out.println("written " + out);
    }

    /**
     * @param runs FileStoreScale reports, one per N
     * @return the SVG document
     */
    static String render(List<JsonNode> runs) {
        List<JsonNode> byN = new ArrayList<>(runs);
        byN.sort(Comparator.comparingLong(r -> r.path("n").asLong()));
        int cols = 3;
        int rows = (COSTS.size() + cols - 1) / cols;
        int width = cols * PANEL_W + 20;
        int height = TOP + rows * (PANEL_H + 20) + 10;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", width, height, width, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        svg.append(Chart.text(12, 22, "The file store's cost against N (one bar per N; the line is the target)", "bold", 15));
        svg.append(Chart.text(12, 40, Chart.escape(byN.isEmpty() ? "" : byN.get(0).path("date").asText()) + ", "
                + (byN.isEmpty() ? 0 : byN.get(0).path("cores").asInt()) + " cores", "normal", 11));
        for (int c = 0; c < COSTS.size(); c++) {
            Cost cost = COSTS.get(c);
            int px = 10 + (c % cols) * PANEL_W;
            int py = TOP + (c / cols) * (PANEL_H + 20);
            panel(svg, cost, byN, px, py);
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void panel(StringBuilder svg, Cost cost, List<JsonNode> byN, int px, int py) {
        svg.append(Chart.text(px, py + 12, Chart.escape(cost.title()), "bold", 12));
        svg.append(Chart.text(px, py + 26, Chart.escape(cost.unit()), "normal", 10));
        double[] values = new double[byN.size()];
        double max = Double.isNaN(cost.target()) ? 0 : cost.target();
        for (int i = 0; i < byN.size(); i++) {
            values[i] = value(byN.get(i), cost);
            if (!Double.isNaN(values[i])) {
                max = Math.max(max, values[i]);
            }
        }
        max = max <= 0 ? 1 : max * 1.15;
        int base = py + PANEL_H - 22;
        int plotH = PANEL_H - 60;
        int barW = Math.max(20, (PANEL_W - 40) / Math.max(1, byN.size()) - 14);
        for (int i = 0; i < byN.size(); i++) {
            int x = px + 10 + i * (barW + 14);
            svg.append(Chart.text(x, base + 16, label(byN.get(i).path("n").asLong()), "normal", 11));
            if (Double.isNaN(values[i])) {
                svg.append(Chart.text(x, base - 4, "n/a", "normal", 10));
                continue;
            }
            double h = plotH * values[i] / max;
            boolean met = Double.isNaN(cost.target()) || values[i] <= cost.target()
                    || byN.get(i).path("n").asLong() < cost.targetFromN();
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"/>%n",
                    x, base - h, barW, h, met ? "#3b7dd8" : "#d8553b"));
            svg.append(Chart.text(x, base - h - 4, fmt(values[i]), "normal", 10));
        }
        if (!Double.isNaN(cost.target())) {
            double ty = base - plotH * cost.target() / max;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"black\""
                    + " stroke-dasharray=\"4 3\"/>%n", px + 4, ty, px + PANEL_W - 20, ty));
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>%n",
                px + 4, base, px + PANEL_W - 20, base));
    }

    /** The median over a phase's runs of one figure, or NaN when the run did not measure it. */
    private static double value(JsonNode report, Cost cost) {
        List<Double> seen = new ArrayList<>();
        for (JsonNode result : report.path("results")) {
            if (!cost.phase().equals(result.path("phase").asText())) {
                continue;
            }
            for (JsonNode run : result.path("runs")) {
                JsonNode v = run.get(cost.key());
                if (v != null && v.isNumber()) {
                    seen.add(v.asDouble());
                }
            }
        }
        return seen.isEmpty() ? Double.NaN : Stats.of(seen).median();
    }

    private static String label(long n) {
        return n >= 1_000_000 && n % 1_000_000 == 0 ? n / 1_000_000 + "M" : Long.toString(n);
    }

    private static String fmt(double v) {
        if (v >= 100_000) {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        return v >= 10 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
