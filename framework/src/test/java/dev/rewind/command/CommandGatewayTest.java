package dev.rewind.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.EventStore;
import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.StoredEvent;
import dev.rewind.annotation.CommandHandler;
import dev.rewind.annotation.TargetAggregateId;
import dev.rewind.command.bank.Account;
import dev.rewind.command.bank.AccountOpened;
import dev.rewind.command.bank.AccountRuleViolation;
import dev.rewind.command.bank.Bank;
import dev.rewind.command.bank.ChargeFee;
import dev.rewind.command.bank.Deposit;
import dev.rewind.command.bank.FeeCharged;
import dev.rewind.command.bank.InsufficientFunds;
import dev.rewind.command.bank.MoneyDeposited;
import dev.rewind.command.bank.MoneyWithdrawn;
import dev.rewind.command.bank.OpenAccount;
import dev.rewind.command.bank.Withdraw;
import dev.rewind.command.bank.Audit;
import dev.rewind.internal.command.CommandIds;
import dev.rewind.storage.memory.InMemoryStorage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CommandGatewayTest {
    private final Meddler meddler = new Meddler();
    private final Bank bank = Bank.on(new InMemoryStorage(), null, 0, 3, meddler);
    private final CommandGateway gateway = bank.gateway();
    private final EventStore store = bank.store();

    @AfterEach
    void close() {
        bank.rewind().close();
    }

    /** Appends to the stream from inside the handler, as another writer would, the first {@code times} runs. */
    static final class Meddler {
        EventStore store;
        int times;
        int runs;

        @CommandHandler
        MoneyDeposited handle(Tip tip, Account account) {
            runs++;
            if (times-- > 0) {
                store.append("account-" + tip.accountId(), ExpectedVersion.any(),
                        List.of(new MoneyDeposited(tip.accountId(), 1)));
            }
            return new MoneyDeposited(tip.accountId(), tip.amount() + account.balance() * 0);
        }
    }

    record Tip(@TargetAggregateId String accountId, long amount) {
    }

    private List<Object> payloads(String streamId) {
        return store.readStream(streamId, 0).stream().<Object>map(StoredEvent::payload).toList();
    }

    @Test
    void routes_a_command_to_its_handler_and_appends_to_the_stream_named_by_its_target_id() {
        CommandResult r = gateway.send(new OpenAccount("1", "ada"));

        assertThat(r.streamId()).isEqualTo("account-1");
        assertThat(r.payloads()).containsExactly(new AccountOpened("1", "ada"));
        assertThat(r.alreadyProcessed()).isFalse();
        assertThat(r.attempts()).isEqualTo(1);
        assertThat(payloads("account-1"))
                .containsExactly(new AccountOpened("1", "ada"));
    }

    @Test
    void rebuilds_the_state_from_the_stream_for_every_command_and_checks_the_rules_against_it() {
        gateway.send(new OpenAccount("1", "ada"));
        gateway.send(new Deposit("1", 100));
        CommandResult w = gateway.send(new Withdraw("1", 30));

        assertThat(w.payloads()).containsExactly(new MoneyWithdrawn("1", 30));
        assertThat(w.events().get(0).streamVersion()).isEqualTo(2);
        assertThatThrownBy(() -> gateway.send(new Withdraw("1", 71)))
                .isExactlyInstanceOf(InsufficientFunds.class)
                .hasMessage("account 1 has 70, cannot withdraw 71");
    }

    @Test
    void a_rule_violation_reaches_the_caller_unchanged_and_nothing_is_appended() {
        gateway.send(new OpenAccount("1", "ada"));
        long head = store.nextPosition();

        assertThatThrownBy(() -> gateway.send(new OpenAccount("1", "bob")))
                .isExactlyInstanceOf(AccountRuleViolation.class)
                .hasMessage("account 1 is already open")
                .hasNoCause();
        assertThat(store.nextPosition()).isEqualTo(head);
        assertThat(store.lastVersion("account-1")).isZero();
    }

    @Test
    void a_handler_may_return_several_events_and_they_are_appended_in_one_batch() {
        gateway.send(new OpenAccount("1", "ada"));
        CommandResult r = gateway.send(new Deposit("1", 2_000));

        assertThat(r.payloads()).containsExactly(new MoneyDeposited("1", 2_000), new MoneyDeposited("1", 20));
        assertThat(r.events()).extracting(StoredEvent::streamVersion).containsExactly(1L, 2L);
        assertThat(r.events().get(0).recordedAt()).isEqualTo(r.events().get(1).recordedAt());
    }

    @Test
    void a_handler_that_decides_nothing_changes_appends_nothing() {
        gateway.send(new OpenAccount("1", "ada"));
        long head = store.nextPosition();

        CommandResult r = gateway.send(new Audit("1", "yearly"));

        assertThat(r.events()).isEmpty();
        assertThat(r.lastStreamVersion()).isEqualTo(-1);
        assertThat(store.nextPosition()).isEqualTo(head);
    }

    @Test
    void a_handler_on_a_service_receives_the_loaded_aggregate() {
        gateway.send(new OpenAccount("1", "ada"));
        gateway.send(new Deposit("1", 3));

        CommandResult r = gateway.send(new ChargeFee("1", "monthly"));

        assertThat(r.payloads()).containsExactly(new FeeCharged("1", 3)); // min(fee 5, balance 3)
        assertThatThrownBy(() -> gateway.send(new ChargeFee("2", "monthly")))
                .isExactlyInstanceOf(AccountRuleViolation.class).hasMessage("account 2 is not open");
    }

    @Test
    void events_carry_the_correlation_id_and_the_command_id_as_causation_id() {
        CommandResult r = gateway.send(CommandMessage.of(new OpenAccount("1", "ada"))
                .withId("cmd-1").withCorrelationId("request-7").with("user", "ada"));

        Metadata md = store.readStream("account-1", 0).get(0).metadata();
        assertThat(md).isEqualTo(new Metadata("request-7", "cmd-1", Map.of("user", "ada")));
        assertThat(r.commandId()).isEqualTo("cmd-1");
    }

    @Test
    void without_a_correlation_id_the_command_id_starts_the_correlation() {
        CommandResult r = gateway.send(new OpenAccount("1", "ada"));

        Metadata md = r.events().get(0).metadata();
        assertThat(md.causationId()).isEqualTo(r.commandId());
        assertThat(md.correlationId()).isEqualTo(r.commandId());
    }

    @Test
    void on_a_concurrency_conflict_it_reloads_and_runs_the_handler_again() {
        meddler.store = store;
        meddler.times = 2;
        gateway.send(new OpenAccount("1", "ada"));

        CommandResult r = gateway.send(new Tip("1", 10));

        assertThat(r.attempts()).isEqualTo(3);
        assertThat(meddler.runs).isEqualTo(3);
        assertThat(r.events().get(0).streamVersion()).isEqualTo(3); // after the two meddling events
        assertThat(payloads("account-1")).containsExactly(
                new AccountOpened("1", "ada"), new MoneyDeposited("1", 1), new MoneyDeposited("1", 1),
                new MoneyDeposited("1", 10));
    }

    @Test
    void after_the_last_attempt_it_reports_the_conflict_and_has_appended_nothing_of_the_command() {
        meddler.store = store;
        meddler.times = Integer.MAX_VALUE;
        gateway.send(new OpenAccount("1", "ada"));

        assertThatThrownBy(() -> gateway.send(new Tip("1", 10)))
                .isExactlyInstanceOf(CommandConflictException.class)
                .hasMessage("Tip on stream 'account-1' gave up after 3 attempts, each met a concurrency conflict"
                        + " (last: concurrency conflict on stream 'account-1': expected version 2, but the stream"
                        + " is at version 3)")
                .satisfies(e -> assertThat(((CommandConflictException) e).attempts()).isEqualTo(3));
        assertThat(payloads("account-1"))
                .doesNotContain(new MoneyDeposited("1", 10));
    }

    @Test
    void an_unknown_command_type_is_named_in_the_error() {
        assertThatThrownBy(() -> gateway.send("hello"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("no @CommandHandler for command java.lang.String: register the @Aggregate or the"
                        + " service that handles it");
    }

    @Test
    void a_null_target_id_is_named_in_the_error() {
        assertThatThrownBy(() -> gateway.send(new Deposit(null, 5)))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("command Deposit has a null @TargetAggregateId component 'accountId'");
    }

    @Test
    void event_ids_derive_from_the_command_id() {
        CommandResult r = gateway.send(CommandMessage.of(new OpenAccount("1", "ada")).withId("cmd-1"));

        assertThat(r.events().get(0).eventId()).isEqualTo(CommandIds.eventId("cmd-1", 0));
    }
}
