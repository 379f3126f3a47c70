package dev.rewind.internal.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.command.bank.Bank;
import dev.rewind.command.bank.Deposit;
import dev.rewind.internal.command.AggregateLoader.Loaded;
import dev.rewind.storage.memory.InMemorySnapshotStorage;
import dev.rewind.storage.memory.InMemoryStorage;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two releases of one aggregate class (same name, compiled here and loaded by separate class loaders, as
 * after a redeploy): a snapshot written by the old one is ignored by the new one, not mis-read.
 */
class SnapshotClassVersionTest {
    private static final String V1 = """
            package demo;
            import dev.rewind.annotation.*;
            import dev.rewind.command.bank.*;
            @Aggregate(streamPrefix = "account-"%s)
            public class Counter {
                private long count;
                %s
                @EventSourcingHandler void on(MoneyDeposited e) { count++; %s }
                @CommandHandler MoneyDeposited handle(Deposit c) { return new MoneyDeposited(c.accountId(), c.amount()); }
                public long count() { return count; }
                %s
            }
            """;
    private static final String RELEASE_1 = V1.formatted("", "", "", "");
    private static final String RELEASE_2_NEW_FIELD = V1.formatted("", "private long total;", "total += e.amount();",
            "public long total() { return total; }");
    private static final String RELEASE_3_NEW_MEANING = V1.formatted(", snapshotVersion = 2", "", "count++;", "");

    @TempDir
    static Path dir;
    private static final java.util.Map<String, Path> COMPILED = new java.util.concurrent.ConcurrentHashMap<>();
    private final InMemoryStorage storage = new InMemoryStorage();
    private final InMemorySnapshotStorage snapshots = new InMemorySnapshotStorage();
    private final Bank bank = Bank.on(storage, null, 0, 1);

    @AfterEach
    void close() {
        bank.rewind().close();
    }

    /** Compiles a release once per test class (javac is slow), and loads it in a new class loader each call. */
    private Class<?> compile(String release, String source) throws IOException, ClassNotFoundException {
        Path out = COMPILED.get(source);
        if (out == null) {
            out = javac(release, source);
            COMPILED.put(source, out);
        }
        URLClassLoader loader = new URLClassLoader(new URL[] {out.toUri().toURL()}, getClass().getClassLoader());
        return loader.loadClass("demo.Counter");
    }

    private static Path javac(String release, String source) throws IOException {
        Path src = dir.resolve(release).resolve("demo/Counter.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-classpath", System.getProperty("java.class.path"),
                "-d", dir.resolve(release).toString(), src.toString());
        assertThat(rc).as("javac exit code").isZero();
        return dir.resolve(release);
    }

    private void depositThroughRelease(Class<?> counter, int deposits) {
        DefaultCommandGateway gateway = new DefaultCommandGateway(bank.store(),
                TestModels.handlers(counter),
                new AggregateLoader(bank.store(), snapshots, 10), 1);
        for (int i = 1; i <= deposits; i++) {
            gateway.send(new Deposit("1", i));
        }
    }

    private static long call(Object target, String method) throws ReflectiveOperationException {
        return (long) target.getClass().getMethod(method).invoke(target);
    }

    @Test
    void a_new_field_makes_the_old_snapshot_unusable_so_the_new_release_replays_the_stream() throws Exception {
        Class<?> r1 = compile("r1", RELEASE_1);
        depositThroughRelease(r1, 25); // snapshot at version 19, written by release 1
        Class<?> r2 = compile("r2", RELEASE_2_NEW_FIELD);
        AggregateModel<?> model = TestModels.inspect(r2);

        Loaded<?> loaded = new AggregateLoader(bank.store(), snapshots, 10).load(model, "account-1");

        assertThat(model.stateVersion()).isNotEqualTo(TestModels.inspect(r1).stateVersion());
        assertThat(loaded.fromSnapshot()).isEqualTo(-1);
        assertThat(call(loaded.aggregate(), "total")).isEqualTo(25 * 26 / 2); // read from the snapshot it would be 21..25 only
        assertThat(call(loaded.aggregate(), "count")).isEqualTo(25);
    }

    @Test
    void the_same_release_loaded_again_uses_its_snapshot() throws Exception {
        depositThroughRelease(compile("r1", RELEASE_1), 25);
        AggregateModel<?> again = TestModels.inspect(compile("r1", RELEASE_1));

        Loaded<?> loaded = new AggregateLoader(bank.store(), snapshots, 10).load(again, "account-1");

        assertThat(loaded.fromSnapshot()).isEqualTo(19);
        assertThat(call(loaded.aggregate(), "count")).isEqualTo(25);
    }

    @Test
    void a_raised_snapshot_version_makes_the_old_snapshot_unusable() throws Exception {
        depositThroughRelease(compile("r1", RELEASE_1), 25);
        AggregateModel<?> r3 = TestModels.inspect(compile("r3", RELEASE_3_NEW_MEANING));

        Loaded<?> loaded = new AggregateLoader(bank.store(), snapshots, 10).load(r3, "account-1");

        assertThat(loaded.fromSnapshot()).isEqualTo(-1);
        assertThat(call(loaded.aggregate(), "count")).isEqualTo(50);
        assertThat(List.of(r3.stateVersion().split("#"))).element(1).isEqualTo("v2");
    }
}
