import dev.rewind.*;
import dev.rewind.benchmarks.workload.*;
import dev.rewind.storage.file.*;
import java.nio.file.*;
import java.util.*;

/**
 * Stream reads on a file store, runnable against any build of the benchmarks jar (also ones older than
 * FileStoreScale): {@code java -cp <jar> StreamReads.java N DIR seed x} seeds N events (orders of 10,
 * one stream each, relaxed durability); {@code java -cp <jar> StreamReads.java N DIR read LABEL} then
 * reads 100,000 random streams after 10 s of warm-up reads and prints p50 and p99 (the figures of
 * BENCHMARKS.md before 2026-12-01 20:00 UTC came from 20,000 reads after 2,000 warm-up reads). Used for the before and
 * after of issue 18 in BENCHMARKS.md.
 */
public class StreamReads {
    static Rewind.Builder b() {
        return Rewind.builder().eventTypes(OrderPlaced.class, ItemAdded.class, OrderPaid.class)
                .upcaster("OrderPaid", 1, json -> json.put("currency", "USD"));
    }
    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]);
        Path dir = Path.of(a[1]);
        if (a[2].equals("seed")) {
            try (Rewind r = b().storage(FileStorage.builder(dir).durability(Durability.RELAXED).open()).build()) {
                Workload.generate(n, o -> r.store().append(o.streamId(), ExpectedVersion.noStream(), o.events()));
            }
            return;
        }
        try (Rewind r = b().storage(FileStorage.open(dir)).build()) {
            List<String> ids = new ArrayList<>();
            Workload.generate(Math.min(n, 2_000_000), o -> ids.add(o.streamId()));
            Random rnd = new Random(42);
            // warm for 10 s: 2,000 reads left the read path half compiled, and its p50 said more of the JIT than of the store
            long warm = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < warm) r.store().readStream(ids.get(rnd.nextInt(ids.size())), 0);
            long[] t = new long[100000];
            for (int i = 0; i < t.length; i++) {
                String s = ids.get(rnd.nextInt(ids.size()));
                long t0 = System.nanoTime();
                int got = r.store().readStream(s, 0).size();
                t[i] = System.nanoTime() - t0;
                if (got != 10) throw new IllegalStateException(s + " " + got);
            }
            Arrays.sort(t);
            System.out.printf("%s p50 %.1f us p99 %.1f us%n", a[3], t[t.length / 2] / 1e3, t[t.length * 99 / 100] / 1e3);
        }
    }
}
