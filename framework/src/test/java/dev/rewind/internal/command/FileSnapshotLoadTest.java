package dev.rewind.internal.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.command.bank.Account;
import dev.rewind.command.bank.Bank;
import dev.rewind.command.bank.Deposit;
import dev.rewind.command.bank.OpenAccount;
import dev.rewind.internal.command.AggregateLoader.Loaded;
import dev.rewind.storage.file.FileSnapshotStorage;
import dev.rewind.storage.memory.InMemoryStorage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading an aggregate from a file snapshot (split from {@code FileSnapshotStorageTest}, which tests the storage). */
class FileSnapshotLoadTest {
    @TempDir
    Path dataDir;

    @Test
    void after_a_restart_an_aggregate_loads_from_its_file_snapshot_plus_the_tail_with_the_state_of_a_full_replay() {
        InMemoryStorage events = new InMemoryStorage();
        Bank before = Bank.on(events, FileSnapshotStorage.in(dataDir), 10, 3);
        before.gateway().send(new OpenAccount("1", "ada"));
        for (int i = 1; i <= 23; i++) {
            before.gateway().send(new Deposit("1", i));
        }
        AggregateModel<Account> model = TestModels.inspect(Account.class);

        Bank after = Bank.on(events, null, 0, 3);
        Loaded<Account> fast = new AggregateLoader(after.store(), FileSnapshotStorage.in(dataDir), 10).load(model, "account-1");
        Loaded<Account> full = new AggregateLoader(after.store(), null, 0).load(model, "account-1");

        assertThat(fast.fromSnapshot()).isEqualTo(19);
        assertThat(fast.eventsApplied()).isEqualTo(4);
        assertThat(fast.aggregate().balance()).isEqualTo(full.aggregate().balance()).isEqualTo(23 * 24 / 2);
        assertThat(fast.aggregate().history()).isEqualTo(full.aggregate().history());
    }
}
