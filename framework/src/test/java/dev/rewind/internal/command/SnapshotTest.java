package dev.rewind.internal.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.command.CommandResult;
import dev.rewind.command.bank.Account;
import dev.rewind.command.bank.Bank;
import dev.rewind.command.bank.ChargeFee;
import dev.rewind.command.bank.Deposit;
import dev.rewind.command.bank.OpenAccount;
import dev.rewind.command.bank.Withdraw;
import dev.rewind.internal.command.AggregateLoader.Loaded;
import dev.rewind.spi.SnapshotStorage.Snapshot;
import dev.rewind.storage.memory.InMemorySnapshotStorage;
import dev.rewind.storage.memory.InMemoryStorage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SnapshotTest {
    private final InMemorySnapshotStorage snapshots = new InMemorySnapshotStorage();
    private final Bank bank = Bank.on(new InMemoryStorage(), snapshots, 10, 3);
    private final AggregateModel<Account> model = TestModels.inspect(Account.class);
    private final StateCodec codec = new StateCodec();

    @AfterEach
    void close() {
        bank.rewind().close();
    }

    private void activity(int commands) {
        bank.gateway().send(new OpenAccount("1", "ada"));
        for (int i = 1; i < commands; i++) {
            switch (i % 4) {
                case 0 -> bank.gateway().send(new Withdraw("1", i));
                case 1 -> bank.gateway().send(new ChargeFee("1", "monthly"));
                default -> bank.gateway().send(new Deposit("1", i * 7L));
            }
        }
    }

    private Loaded<Account> fullReplay() {
        return new AggregateLoader(bank.store(), null, 0).load(model, "account-1");
    }

    @Test
    void loading_from_a_snapshot_plus_the_tail_gives_exactly_the_state_of_a_full_replay() {
        activity(57);

        Loaded<Account> fast = new AggregateLoader(bank.store(), snapshots, 10).load(model, "account-1");
        Loaded<Account> full = fullReplay();

        assertThat(fast.fromSnapshot()).isEqualTo(49);
        assertThat(fast.eventsApplied()).isEqualTo(7);
        assertThat(full.eventsApplied()).isEqualTo(57);
        assertThat(fast.version()).isEqualTo(full.version()).isEqualTo(56);
        assertThat(new String(codec.write(fast.aggregate()), StandardCharsets.UTF_8))
                .isEqualTo(new String(codec.write(full.aggregate()), StandardCharsets.UTF_8));
        assertThat(fast.aggregate().balance()).isEqualTo(full.aggregate().balance());
        assertThat(fast.aggregate().history()).isEqualTo(full.aggregate().history()).hasSize(56);
        assertThat(fast.aggregate().owner()).isEqualTo("ada");
    }

    @Test
    void a_snapshot_is_written_when_a_command_leaves_the_stream_n_events_past_the_last_one() {
        activity(9);
        assertThat(snapshots.load("account-1")).isEmpty();

        bank.gateway().send(new Deposit("1", 1));
        assertThat(snapshots.load("account-1")).get().extracting(Snapshot::streamVersion).isEqualTo(9L);

        for (int i = 0; i < 9; i++) {
            bank.gateway().send(new Deposit("1", 1));
        }
        bank.gateway().send(new Deposit("1", 5_000)); // two events: versions 19 and 20
        assertThat(snapshots.load("account-1")).get().extracting(Snapshot::streamVersion).isEqualTo(20L);
    }

    @Test
    void events_appended_outside_the_gateway_count_towards_the_next_snapshot() {
        bank.gateway().send(new OpenAccount("1", "ada"));
        java.util.List<Object> many = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            many.add(new dev.rewind.command.bank.MoneyDeposited("1", 1));
        }
        bank.store().append("account-1", dev.rewind.ExpectedVersion.any(), many);

        bank.gateway().send(new Deposit("1", 1));

        assertThat(snapshots.load("account-1")).get().extracting(Snapshot::streamVersion).isEqualTo(31L);
    }

    @Test
    void the_gateway_decides_on_the_state_loaded_from_a_snapshot() {
        activity(30);
        long balance = fullReplay().aggregate().balance();

        CommandResult r = bank.gateway().send(new Withdraw("1", balance));

        assertThat(r.events()).hasSize(1);
        assertThat(fullReplay().aggregate().balance()).isZero();
    }

    @Test
    void a_snapshot_written_by_another_version_of_the_class_is_ignored_not_misread() {
        activity(20);
        snapshots.save(new Snapshot("account-1", 19, "dev.rewind.command.bank.Account#v1#0123456789abcdef",
                "{\"balance\":999999,\"history\":[],\"open\":true,\"owner\":\"mallory\"}".getBytes(StandardCharsets.UTF_8)));

        Loaded<Account> loaded = new AggregateLoader(bank.store(), snapshots, 10).load(model, "account-1");

        assertThat(loaded.fromSnapshot()).isEqualTo(-1);
        assertThat(loaded.aggregate().balance()).isEqualTo(fullReplay().aggregate().balance());
        assertThat(loaded.aggregate().owner()).isEqualTo("ada");
    }

    @Test
    void a_snapshot_that_cannot_be_read_is_ignored() {
        activity(20);
        snapshots.save(new Snapshot("account-1", 19, model.stateVersion(), "{\"balance\":\"lots\"".getBytes(StandardCharsets.UTF_8)));

        Loaded<Account> loaded = new AggregateLoader(bank.store(), snapshots, 10).load(model, "account-1");

        assertThat(loaded.fromSnapshot()).isEqualTo(-1);
        assertThat(loaded.aggregate().balance()).isEqualTo(fullReplay().aggregate().balance());
    }

    @Test
    void a_snapshot_ahead_of_its_stream_is_ignored() {
        activity(5);
        Account rich = fullReplay().aggregate();
        snapshots.save(new Snapshot("account-1", 40, model.stateVersion(), codec.write(rich)));

        Loaded<Account> loaded = new AggregateLoader(bank.store(), snapshots, 10).load(model, "account-1");

        assertThat(loaded.fromSnapshot()).isEqualTo(-1);
        assertThat(loaded.version()).isEqualTo(4);
    }

    @Test
    void the_state_version_names_the_class_and_its_declared_snapshot_version() {
        assertThat(model.stateVersion()).matches("dev\\.rewind\\.command\\.bank\\.Account#v1#[0-9a-f]{16}");
    }
}
