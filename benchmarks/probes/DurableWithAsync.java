import dev.rewind.*;
import dev.rewind.benchmarks.rewind.*;
import dev.rewind.benchmarks.workload.*;
import dev.rewind.projection.*;
import dev.rewind.storage.file.*;
import java.nio.file.*;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;

/**
 * 16 durable writers for 3 s on a file store, with no projection attached ({@code none}) or three
 * asynchronous ones with ({@code snap}) or without ({@code nosnap}) snapshots, in alternating rounds in
 * one JVM: {@code java -Xms4g -Xmx4g -cp <jar> DurableWithAsync.java none,snap 8}. The later rounds are
 * the warm ones. Used to find why attached projections slowed appends (BENCHMARKS.md, issue 15).
 */
public class DurableWithAsync {
    static Rewind.Builder b() {
        return Rewind.builder().eventTypes(OrderPlaced.class, ItemAdded.class, OrderPaid.class)
                .upcaster("OrderPaid", 1, json -> json.put("currency", "USD"));
    }
    public static void main(String[] a) throws Exception {
        List<Workload.Order> orders = Workload.orders(100_000);
        String[] modes = a[0].split(",");
        for (int round = 0; round < Integer.parseInt(a[1]); round++) {
            for (String mode : modes) {
                Path dir = Files.createTempDirectory("probe");
                Rewind.Builder bb = b().storage(FileStorage.builder(dir).durability(Durability.FSYNC).open());
                ProjectionSettings s = switch (mode) {
                    case "snap" -> ProjectionSettings.async();
                    case "nosnap" -> ProjectionSettings.async().noSnapshots();
                    default -> null;
                };
                if (s != null) {
                    bb.projection(RewindViews.class).projection(RevenueOnly.class).projection(LagProbe.class)
                      .projectionSettings(RewindViews.NAME, s).projectionSettings(RevenueOnly.NAME, s).projectionSettings(LagProbe.NAME, s);
                }
                try (Rewind r = bb.build()) {
                    AtomicInteger next = new AtomicInteger();
                    AtomicLong events = new AtomicLong();
                    long end = System.nanoTime() + 3_000_000_000L;
                    Thread[] ts = new Thread[16];
                    for (int t = 0; t < 16; t++) {
                        ts[t] = new Thread(() -> {
                            while (System.nanoTime() < end) {
                                int i = next.getAndIncrement();
                                Workload.Order o = orders.get(i % orders.size());
                                r.store().append("r" + i, ExpectedVersion.noStream(), o.events());
                                events.addAndGet(o.events().size());
                            }
                        });
                        ts[t].start();
                    }
                    for (Thread t : ts) t.join();
                    System.out.printf("%s round %d: %.0f events/s%n", mode, round, events.get() / 3.0);
                }
                try (var w = Files.walk(dir)) { w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete()); }
            }
        }
    }
}
