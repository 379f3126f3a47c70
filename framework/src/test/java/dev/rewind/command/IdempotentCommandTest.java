package dev.rewind.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.annotation.CommandHandler;
import dev.rewind.annotation.TargetAggregateId;
import dev.rewind.command.bank.Account;
import dev.rewind.command.bank.AccountRuleViolation;
import dev.rewind.command.bank.Bank;
import dev.rewind.command.bank.Deposit;
import dev.rewind.command.bank.MoneyDeposited;
import dev.rewind.command.bank.MoneyWithdrawn;
import dev.rewind.command.bank.OpenAccount;
import dev.rewind.command.bank.Withdraw;
import dev.rewind.internal.command.CommandIds;
import dev.rewind.storage.memory.InMemoryStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IdempotentCommandTest {
    private final InMemoryStorage storage = new InMemoryStorage();
    private final Echo echo = new Echo();
    private final Bank bank = Bank.on(storage, null, 0, 3, echo);

    @AfterEach
    void close() {
        bank.rewind().close();
    }

    @Test
    void a_retry_after_a_timeout_returns_the_first_result_and_never_reaches_the_rule() {
        bank.gateway().send(new OpenAccount("1", "ada"));
        bank.gateway().send(new Deposit("1", 60));
        CommandMessage withdraw = CommandMessage.of(new Withdraw("1", 50)).withId("w-1");
        CommandResult first = bank.gateway().send(withdraw); // the client never saw this answer: it timed out
        long head = bank.store().nextPosition();

        CommandResult retry = bank.gateway().send(withdraw); // a second run would break "balance >= 50"

        assertThat(retry.alreadyProcessed()).isTrue();
        assertThat(retry.attempts()).isZero();
        assertThat(retry.events()).isEqualTo(first.events()); // same ids, same positions, same instants
        assertThat(retry.payloads()).containsExactly(new MoneyWithdrawn("1", 50));
        assertThat(bank.store().nextPosition()).isEqualTo(head);
    }

    @Test
    void a_retry_returns_exactly_the_events_of_that_command_even_when_others_came_after() {
        bank.gateway().send(new OpenAccount("1", "ada"));
        CommandMessage deposit = CommandMessage.of(new Deposit("1", 2_000)).withId("d-1");
        CommandResult first = bank.gateway().send(deposit);
        bank.gateway().send(new Deposit("1", 5));

        CommandResult retry = bank.gateway().send(deposit);

        assertThat(retry.events()).isEqualTo(first.events()).hasSize(2);
        assertThat(retry.events()).extracting(e -> e.eventId())
                .containsExactly(CommandIds.eventId("d-1", 0), CommandIds.eventId("d-1", 1));
    }

    @Test
    void a_processed_command_id_is_recognised_after_a_restart_from_the_store_alone() {
        bank.gateway().send(new OpenAccount("1", "ada"));
        CommandMessage withdraw = CommandMessage.of(new Withdraw("1", 0)).withId("w-1");
        CommandResult first = bank.gateway().send(withdraw);

        // a new store and gateway over the same storage: no state of the first gateway survives
        Bank restarted = Bank.on(storage, null, 0, 3);
        CommandResult retry = restarted.gateway().send(withdraw);

        assertThat(retry.alreadyProcessed()).isTrue();
        assertThat(retry.events()).isEqualTo(first.events());
        assertThat(restarted.store().nextPosition()).isEqualTo(2);
    }

    @Test
    void the_same_command_id_sent_twice_at_once_is_appended_once() {
        bank.gateway().send(new OpenAccount("1", "ada"));
        echo.gateway = bank.gateway();
        CommandMessage tip = CommandMessage.of(new Tip("1", 7)).withId("t-1");

        CommandResult outer = bank.gateway().send(tip); // its handler sends the same message first

        assertThat(echo.inner.alreadyProcessed()).isFalse();
        assertThat(outer.alreadyProcessed()).isTrue();
        assertThat(outer.events()).isEqualTo(echo.inner.events());
        assertThat(bank.store().readStream("account-1", 0)).hasSize(2);
    }

    @Test
    void a_command_that_failed_left_no_trace_so_its_retry_runs_the_handler_again() {
        CommandMessage deposit = CommandMessage.of(new Deposit("1", 10)).withId("d-1");
        assertThatThrownBy(() -> bank.gateway().send(deposit)).isInstanceOf(AccountRuleViolation.class);
        bank.gateway().send(new OpenAccount("1", "ada"));

        CommandResult retry = bank.gateway().send(deposit);

        assertThat(retry.alreadyProcessed()).isFalse();
        assertThat(retry.payloads()).containsExactly(new MoneyDeposited("1", 10));
    }

    record Tip(@TargetAggregateId String accountId, long amount) {
    }

    /** Sends the same message again from inside its handler, the first time: a concurrent duplicate. */
    static final class Echo {
        CommandGateway gateway;
        CommandResult inner;

        @CommandHandler
        MoneyDeposited handle(Tip tip, Account account) {
            if (inner == null && gateway != null) {
                inner = new CommandResult("", "", java.util.List.of(), false, 0); // guards the recursion
                inner = gateway.send(CommandMessage.of(tip).withId("t-1"));
            }
            return new MoneyDeposited(tip.accountId(), tip.amount());
        }
    }
}
