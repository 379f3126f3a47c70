import dev.rewind.*;
import dev.rewind.benchmarks.workload.*;
import dev.rewind.storage.file.*;
import java.nio.file.*;
import java.util.*;

/**
 * Reads random streams of a store seeded by {@code StreamReads.java ... seed} for 20 s in one loop and
 * prints the mean time per read: {@code java -cp <jar> StreamReadLoop.java DIR}. A steady loop, so the
 * figure is the warm path's, and long enough for a profiler (JFR) to sample it. Used in BENCHMARKS.md,
 * "Stream reads after the fix".
 */
public class StreamReadLoop {
    public static void main(String[] a) throws Exception {
        Path dir = Path.of(a[0]);
        try (Rewind r = Rewind.builder().eventTypes(OrderPlaced.class, ItemAdded.class, OrderPaid.class)
                .upcaster("OrderPaid", 1, json -> json.put("currency", "USD")).storage(FileStorage.open(dir)).build()) {
            List<String> ids = new ArrayList<>();
            Workload.generate(1_000_000, o -> ids.add(o.streamId()));
            Random rnd = new Random(42);
            long end = System.nanoTime() + 20_000_000_000L;
            long n = 0;
            while (System.nanoTime() < end) {
                r.store().readStream(ids.get(rnd.nextInt(ids.size())), 0);
                n++;
            }
            System.out.printf("reads %d, mean %.1f us%n", n, 20e6 / n);
        }
    }
}
