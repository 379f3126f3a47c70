package dev.rewind.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.Rewind;
import dev.rewind.annotation.Aggregate;
import dev.rewind.annotation.EventSourcingHandler;
import dev.rewind.command.bank.Account;
import dev.rewind.command.bank.AccountOpened;
import dev.rewind.command.bank.Bank;
import dev.rewind.command.bank.ChargeFee;
import dev.rewind.command.bank.Deposit;
import dev.rewind.command.bank.FeeCharged;
import dev.rewind.command.bank.FeeService;
import dev.rewind.command.bank.OpenAccount;
import dev.rewind.storage.memory.InMemorySnapshotStorage;
import org.junit.jupiter.api.Test;

/** The command side as an application gets it: {@code Rewind.builder()} ... {@code rewind.commands()}. */
class RewindCommandsTest {

    @Test
    void registered_aggregates_and_services_handle_commands_with_snapshots() {
        InMemorySnapshotStorage snapshots = new InMemorySnapshotStorage();
        try (Rewind rewind = Rewind.builder().eventTypes(Bank.EVENTS).aggregate(Account.class)
                .commandHandlers(new FeeService(5)).snapshots(snapshots, 2).commandAttempts(2).build()) {
            rewind.commands().send(new OpenAccount("1", "ada"));
            rewind.commands().send(new Deposit("1", 10));
            CommandResult fee = rewind.commands().send(new ChargeFee("1", "monthly"));

            assertThat(fee.payloads()).containsExactly(new FeeCharged("1", 5));
            assertThat(snapshots.load("account-1")).isPresent();
        }
    }

    @Test
    void scanned_aggregates_are_registered_and_a_scanned_service_must_be_given_as_an_instance() {
        assertThatThrownBy(() -> Rewind.builder().scanPackages("dev.rewind.command.bank").build())
                .hasMessage("dev.rewind.command.bank.FeeService declares @CommandHandler methods but is neither an"
                        + " @Aggregate nor a registered service: pass an instance to Rewind.builder().commandHandlers(...)"
                        + " (or, from a plugin, Registrar.commandHandlers(...)), or set an InstanceFactory that creates it"
                        + " (Rewind.builder().instanceFactory(...))");

        try (Rewind rewind = Rewind.builder().scanPackages("dev.rewind.command.bank")
                .commandHandlers(new FeeService(5)).build()) {
            assertThat(rewind.commands().send(new OpenAccount("1", "ada")).payloads())
                    .containsExactly(new AccountOpened("1", "ada"));
        }
    }

    @Aggregate
    static final class Unregistered {
        @EventSourcingHandler
        void on(AccountOpened event) {
        }
    }

    @Test
    void an_event_sourcing_handler_for_an_unregistered_event_type_stops_start_up() {
        assertThatThrownBy(() -> Rewind.builder().aggregate(Unregistered.class)
                .commandHandlers(new Object() {
                    @dev.rewind.annotation.CommandHandler
                    Object handle(Deposit d, Unregistered u) {
                        return null;
                    }
                }).build())
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("@EventSourcingHandler method 'void dev.rewind.command.RewindCommandsTest$Unregistered.on("
                        + "dev.rewind.command.bank.AccountOpened)': its first parameter type"
                        + " dev.rewind.command.bank.AccountOpened is an @Event record that is not registered: scan its"
                        + " package or register it");
    }

    @Test
    void settings_out_of_range_are_rejected_when_given() {
        assertThatThrownBy(() -> Rewind.builder().commandAttempts(0))
                .hasMessage("command attempts must be 1 or more, was 0");
        assertThatThrownBy(() -> Rewind.builder().snapshots(new InMemorySnapshotStorage(), 0))
                .hasMessage("snapshot interval must be 1 or more events, was 0");
    }
}
