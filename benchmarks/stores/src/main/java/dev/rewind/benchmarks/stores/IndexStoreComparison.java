package dev.rewind.benchmarks.stores;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The file store's index workload on three embedded stores (docs/adr/0011-file-store-indexes.md): N events
 * in orders of 10 (one stream per order), each event an entry id (16 bytes) -> position and an entry
 * (stream hash, version) -> position, written in batches of 10 and made durable every 131,072 events (what an
 * index checkpoint does); then 100,000 look-ups of present ids and of absent ids, the time to open the
 * store again, the heap it then holds and its bytes on disk. Rewind's own indexes are measured on the same
 * workload by {@code dev.rewind.benchmarks.FileStoreScale} (with the log around them).
 *
 * <pre>
 * mvn -q -B -f benchmarks/stores/pom.xml package dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx4g --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
 *      -cp benchmarks/stores/target/classes:$(cat benchmarks/stores/target/cp.txt) \
 *      dev.rewind.benchmarks.stores.IndexStoreComparison 1000000 /tmp/index-stores [mvstore,lmdb,rocksdb]
 * </pre>
 */
public final class IndexStoreComparison {
    // lmdbjava reaches into java.nio by reflection: without the --add-opens above it fails on Java 17
    private static final int CHECKPOINT = 131_072;

    private IndexStoreComparison() {
    }

    /** One store under test. */
    interface Store extends AutoCloseable {
        void put(byte[] key, int position);

        /** Makes everything put so far durable. */
        void checkpoint();

        /** @return the position, or -1 */
        int get(byte[] key);

        @Override
        void close();
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        Path base = Path.of(args[1]);
        String which = args.length > 2 ? args[2] : "mvstore,lmdb,rocksdb";
        System.out.printf(Locale.ROOT, "| store | insert events/s | get present us | get absent us | reopen ms | heap"
                + " bytes/event after reopen | disk bytes/event |%n|---|---|---|---|---|---|---|%n");
        for (String name : which.split(",")) {
            Path dir = base.resolve(name);
            deleteTree(dir);
            Files.createDirectories(dir);
            measure(name, dir, n);
            deleteTree(dir);
        }
    }

    private static Store open(String name, Path dir, long n) throws Exception {
        return switch (name) {
            case "mvstore" -> new Mv(dir);
            case "lmdb" -> new Lmdb(dir, n);
            case "rocksdb" -> new Rocks(dir);
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static byte[] id(long i) {
        Random r = new Random(i * 0x9E3779B97F4A7C15L);
        return ByteBuffer.allocate(17).put((byte) 'i').putLong(r.nextLong()).putLong(r.nextLong()).array();
    }

    private static byte[] streamKey(long order, int version) {
        return ByteBuffer.allocate(13).put((byte) 's').putLong(order * 0xC2B2AE3D27D4EB4FL).putInt(version).array();
    }

    private static void measure(String name, Path dir, int n) throws Exception {
        long t0 = System.nanoTime();
        try (Store s = open(name, dir, n)) {
            for (int p = 0; p < n; p++) {
                s.put(id(p), p);
                s.put(streamKey(p / 10, p % 10), p);
                if ((p + 1) % CHECKPOINT == 0) {
                    s.checkpoint();
                }
            }
            s.checkpoint();
        }
        double insert = n / ((System.nanoTime() - t0) / 1e9);
        fullGc();
        long before = usedHeap();
        t0 = System.nanoTime();
        Store s = open(name, dir, n);
        double reopenMs = (System.nanoTime() - t0) / 1e6;
        Random r = new Random(7);
        int reads = 100_000;
        t0 = System.nanoTime();
        for (int i = 0; i < reads; i++) {
            int p = r.nextInt(n);
            if (s.get(id(p)) != p) {
                throw new IllegalStateException(name + ": id of " + p + " not found");
            }
        }
        double present = (System.nanoTime() - t0) / 1e3 / reads;
        t0 = System.nanoTime();
        for (int i = 0; i < reads; i++) {
            if (s.get(id(n + 1L + r.nextInt(n))) != -1) {
                throw new IllegalStateException(name + ": an absent id was found");
            }
        }
        double absent = (System.nanoTime() - t0) / 1e3 / reads;
        fullGc();
        double heap = (double) (usedHeap() - before) / n;
        s.close();
        System.out.printf(Locale.ROOT, "| %s | %.0f | %.2f | %.2f | %.1f | %.1f | %.1f |%n", name, insert, present,
                absent, reopenMs, heap, (double) size(dir) / n);
    }

    private static final class Mv implements Store {
        private final MVStore store;
        private final MVMap<byte[], Integer> map;

        Mv(Path dir) {
            store = new MVStore.Builder().fileName(dir.resolve("index.mv").toString()).autoCommitDisabled().open();
            map = store.openMap("index");
        }

        @Override
        public void put(byte[] key, int position) {
            map.put(key, position);
        }

        @Override
        public void checkpoint() {
            store.commit();
            store.sync();
        }

        @Override
        public int get(byte[] key) {
            Integer p = map.get(key);
            return p == null ? -1 : p;
        }

        @Override
        public void close() {
            store.close();
        }
    }

    private static final class Lmdb implements Store {
        private final Env<ByteBuffer> env;
        private final Dbi<ByteBuffer> db;
        private Txn<ByteBuffer> txn;
        private final ByteBuffer key = ByteBuffer.allocateDirect(17);
        private final ByteBuffer value = ByteBuffer.allocateDirect(4);

        Lmdb(Path dir, long n) {
            env = Env.create().setMapSize(Math.max(1L << 30, n * 200)).setMaxDbs(1)
                    .open(dir.toFile(), EnvFlags.MDB_NOSYNC);
            db = env.openDbi("index", DbiFlags.MDB_CREATE);
        }

        private ByteBuffer key(byte[] k) {
            key.clear();
            key.put(k).flip();
            return key;
        }

        @Override
        public void put(byte[] k, int position) {
            if (txn == null) {
                txn = env.txnWrite();
            }
            value.clear();
            value.putInt(position).flip();
            db.put(txn, key(k), value);
        }

        @Override
        public void checkpoint() {
            if (txn != null) {
                txn.commit();
                txn.close();
                txn = null;
            }
            env.sync(true);
        }

        @Override
        public int get(byte[] k) {
            try (Txn<ByteBuffer> read = env.txnRead()) {
                ByteBuffer v = db.get(read, key(k));
                return v == null ? -1 : v.getInt(0);
            }
        }

        @Override
        public void close() {
            checkpoint();
            env.close();
        }
    }

    private static final class Rocks implements Store {
        static {
            RocksDB.loadLibrary();
        }

        private final Options options;
        private final RocksDB db;
        private final WriteOptions writes = new WriteOptions().setDisableWAL(true);
        private WriteBatch batch = new WriteBatch();

        Rocks(Path dir) throws RocksDBException {
            options = new Options().setCreateIfMissing(true).setTableFormatConfig(
                    new BlockBasedTableConfig().setFilterPolicy(new BloomFilter(10, false)));
            db = RocksDB.open(options, dir.toString());
        }

        @Override
        public void put(byte[] key, int position) {
            try {
                batch.put(key, ByteBuffer.allocate(4).putInt(position).array());
                if (batch.count() >= 20) {
                    db.write(writes, batch);
                    batch.close();
                    batch = new WriteBatch();
                }
            } catch (RocksDBException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void checkpoint() {
            try {
                db.write(writes, batch);
                batch.close();
                batch = new WriteBatch();
                try (FlushOptions f = new FlushOptions().setWaitForFlush(true)) {
                    db.flush(f);
                }
            } catch (RocksDBException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public int get(byte[] key) {
            try {
                byte[] v = db.get(key);
                return v == null ? -1 : ByteBuffer.wrap(v).getInt();
            } catch (RocksDBException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            checkpoint();
            db.close();
            options.close();
        }
    }

    private static void fullGc() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
    }

    private static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
