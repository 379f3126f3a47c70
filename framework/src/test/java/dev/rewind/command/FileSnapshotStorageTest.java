package dev.rewind.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.command.bank.Account;
import dev.rewind.command.bank.Bank;
import dev.rewind.command.bank.Deposit;
import dev.rewind.command.bank.OpenAccount;
import dev.rewind.internal.command.AggregateLoader;
import dev.rewind.internal.command.AggregateLoader.Loaded;
import dev.rewind.internal.command.AggregateModel;
import dev.rewind.spi.SnapshotStorage.Snapshot;
import dev.rewind.storage.file.FileSnapshotStorage;
import dev.rewind.storage.memory.InMemoryStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSnapshotStorageTest {
    @TempDir
    Path dataDir;

    private static Snapshot snapshot(String stream, long version, String state) {
        return new Snapshot(stream, version, "tag#v1", state.getBytes(StandardCharsets.UTF_8));
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dataDir.resolve("snapshots"))) {
            return s.toList();
        }
    }

    @Test
    void keeps_the_latest_snapshot_per_stream_in_a_snapshots_directory_that_survives_a_restart() throws IOException {
        FileSnapshotStorage first = FileSnapshotStorage.in(dataDir);
        first.save(snapshot("order-1", 9, "{\"a\":1}"));
        first.save(snapshot("order-1", 19, "{\"a\":2}"));
        first.save(snapshot("order-2", 9, "{\"b\":1}"));

        FileSnapshotStorage restarted = FileSnapshotStorage.in(dataDir);

        assertThat(restarted.directory()).isEqualTo(dataDir.resolve("snapshots"));
        assertThat(restarted.load("order-1")).contains(snapshot("order-1", 19, "{\"a\":2}"));
        assertThat(restarted.load("order-2")).contains(snapshot("order-2", 9, "{\"b\":1}"));
        assertThat(restarted.load("order-3")).isEmpty();
        assertThat(files()).hasSize(2);
    }

    @Test
    void an_older_snapshot_never_replaces_a_newer_one() {
        FileSnapshotStorage storage = FileSnapshotStorage.in(dataDir);
        storage.save(snapshot("order-1", 19, "{\"new\":true}"));
        storage.save(snapshot("order-1", 9, "{\"old\":true}"));

        assertThat(storage.load("order-1")).get().extracting(Snapshot::streamVersion).isEqualTo(19L);
    }

    @Test
    void stream_ids_with_any_characters_get_their_own_files() {
        FileSnapshotStorage storage = FileSnapshotStorage.in(dataDir);
        String longId = "x".repeat(500);
        List<String> ids = List.of("a/b", "a_b", "a:b", "../../etc/passwd", "ünïcødé", longId, "A/B");
        for (String id : ids) {
            storage.save(snapshot(id, 1, "\"" + id.length() + "\""));
        }
        for (String id : ids) {
            assertThat(storage.load(id)).get().extracting(Snapshot::streamId).isEqualTo(id);
        }
        assertThat(dataDir.resolve("snapshots").toFile().list()).hasSize(ids.size());
    }

    @Test
    void a_damaged_or_truncated_file_is_ignored() throws IOException {
        FileSnapshotStorage storage = FileSnapshotStorage.in(dataDir);
        storage.save(snapshot("order-1", 9, "{\"a\":1}"));
        storage.save(snapshot("order-2", 9, "{\"a\":1}"));
        List<Path> files = files();
        byte[] bytes = Files.readAllBytes(files.get(0));
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(files.get(0), bytes);
        byte[] other = Files.readAllBytes(files.get(1));
        Files.write(files.get(1), java.util.Arrays.copyOf(other, other.length - 3));

        assertThat(storage.load("order-1")).isEmpty();
        assertThat(storage.load("order-2")).isEmpty();
    }

    @Test
    void after_a_restart_an_aggregate_loads_from_its_file_snapshot_plus_the_tail_with_the_state_of_a_full_replay() {
        InMemoryStorage events = new InMemoryStorage();
        Bank before = Bank.on(events, FileSnapshotStorage.in(dataDir), 10, 3);
        before.gateway().send(new OpenAccount("1", "ada"));
        for (int i = 1; i <= 23; i++) {
            before.gateway().send(new Deposit("1", i));
        }
        AggregateModel<Account> model = AggregateModel.inspect(Account.class);

        Bank after = Bank.on(events, null, 0, 3);
        Loaded<Account> fast = new AggregateLoader(after.store(), FileSnapshotStorage.in(dataDir), 10).load(model, "account-1");
        Loaded<Account> full = new AggregateLoader(after.store(), null, 0).load(model, "account-1");

        assertThat(fast.fromSnapshot()).isEqualTo(19);
        assertThat(fast.eventsApplied()).isEqualTo(4);
        assertThat(fast.aggregate().balance()).isEqualTo(full.aggregate().balance()).isEqualTo(23 * 24 / 2);
        assertThat(fast.aggregate().history()).isEqualTo(full.aggregate().history());
    }
}
