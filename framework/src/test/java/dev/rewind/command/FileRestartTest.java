package dev.rewind.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.Rewind;
import dev.rewind.command.bank.Account;
import dev.rewind.command.bank.Bank;
import dev.rewind.command.bank.Deposit;
import dev.rewind.command.bank.FeeService;
import dev.rewind.command.bank.MoneyWithdrawn;
import dev.rewind.command.bank.OpenAccount;
import dev.rewind.command.bank.Withdraw;
import dev.rewind.storage.file.FileSnapshotStorage;
import dev.rewind.storage.file.FileStorage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command side over the file storage, across a real restart (the storage closed and opened again). */
class FileRestartTest {
    @TempDir
    Path dataDir;

    private Rewind open() {
        return Rewind.builder().storage(FileStorage.open(dataDir)).eventTypes(Bank.EVENTS).aggregate(Account.class)
                .commandHandlers(new FeeService(5)).snapshots(FileSnapshotStorage.in(dataDir), 10).build();
    }

    @Test
    void a_command_retried_after_a_restart_returns_its_first_result_and_appends_nothing() {
        CommandMessage withdraw = CommandMessage.of(new Withdraw("1", 50)).withId("w-1").withCorrelationId("r-1");
        CommandResult first;
        try (Rewind rewind = open()) {
            rewind.commands().send(new OpenAccount("1", "ada"));
            rewind.commands().send(new Deposit("1", 60));
            first = rewind.commands().send(withdraw); // the answer is lost: the client times out, the process stops
        }

        try (Rewind restarted = open()) {
            CommandResult retry = restarted.commands().send(withdraw); // a second run would break "balance >= 50"

            assertThat(retry.alreadyProcessed()).isTrue();
            assertThat(retry.events()).isEqualTo(first.events());
            assertThat(retry.payloads()).containsExactly(new MoneyWithdrawn("1", 50));
            assertThat(retry.events().get(0).metadata().correlationId()).isEqualTo("r-1");
            assertThat(restarted.store().nextPosition()).isEqualTo(3);
        }
    }

    @Test
    void after_a_restart_commands_decide_on_the_snapshot_plus_the_tail() {
        try (Rewind rewind = open()) {
            rewind.commands().send(new OpenAccount("1", "ada"));
            for (int i = 1; i <= 14; i++) {
                rewind.commands().send(new Deposit("1", 10));
            }
        }
        assertThat(FileSnapshotStorage.in(dataDir).load("account-1")).get()
                .extracting(s -> s.streamVersion()).isEqualTo(9L);

        try (Rewind restarted = open()) {
            assertThat(restarted.commands().send(new Withdraw("1", 140)).payloads())
                    .containsExactly(new MoneyWithdrawn("1", 140));
        }
    }
}
