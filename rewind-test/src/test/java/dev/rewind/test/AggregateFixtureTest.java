package dev.rewind.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.RawEvent;
import dev.rewind.annotation.Aggregate;
import dev.rewind.annotation.CommandHandler;
import dev.rewind.annotation.Event;
import dev.rewind.annotation.EventSourcingHandler;
import dev.rewind.annotation.TargetAggregateId;
import dev.rewind.command.CommandMessage;
import dev.rewind.command.bank.Account;
import dev.rewind.command.bank.AccountOpened;
import dev.rewind.command.bank.AccountRuleViolation;
import dev.rewind.command.bank.Audit;
import dev.rewind.command.bank.ChargeFee;
import dev.rewind.command.bank.Deposit;
import dev.rewind.command.bank.FeeCharged;
import dev.rewind.command.bank.FeeService;
import dev.rewind.command.bank.InsufficientFunds;
import dev.rewind.command.bank.MoneyDeposited;
import dev.rewind.command.bank.MoneyWithdrawn;
import dev.rewind.command.bank.OpenAccount;
import dev.rewind.command.bank.Withdraw;
import org.junit.jupiter.api.Test;

class AggregateFixtureTest {
    private final AggregateFixture<Account> accounts = AggregateFixture.of(Account.class).withService(new FeeService(5));
    private final AccountOpened opened = new AccountOpened("1", "ada");

    @Test
    void a_command_on_given_events_appends_the_expected_events() {
        accounts.given(opened, new MoneyDeposited("1", 50))
                .when(new Withdraw("1", 20))
                .then(new MoneyWithdrawn("1", 20))
                .thenState(account -> assertThat(account.balance()).isEqualTo(30));
    }

    @Test
    void a_new_aggregate_starts_from_no_prior_activity() {
        accounts.givenNoPriorActivity()
                .when(new OpenAccount("1", "ada"))
                .then(opened)
                .thenState(account -> assertThat(account.owner()).isEqualTo("ada"));
    }

    @Test
    void a_rule_violation_is_expected_by_type_and_message_and_leaves_the_state_as_given() {
        accounts.given(opened, new MoneyDeposited("1", 10))
                .when(new Withdraw("1", 11))
                .thenFails(InsufficientFunds.class)
                .thenFails(AccountRuleViolation.class, "account 1 has 10, cannot withdraw 11")
                .thenState(account -> assertThat(account.balance()).isEqualTo(10));
    }

    @Test
    void given_commands_run_through_the_gateway_and_services_handle_theirs() {
        accounts.givenCommands(new OpenAccount("1", "ada"), new Deposit("1", 3))
                .when(new ChargeFee("1", "monthly"))
                .then(new FeeCharged("1", 3));
    }

    @Test
    void a_command_that_changes_nothing_expects_no_events() {
        accounts.given(opened).when(new Audit("1", "yearly")).thenNoEvents();
    }

    @Test
    void stored_events_carry_the_command_metadata() {
        accounts.given(opened)
                .when(CommandMessage.of(new Deposit("1", 5)).withId("c-1").withCorrelationId("r-1"))
                .then(new MoneyDeposited("1", 5))
                .thenStoredEvents(events -> {
                    assertThat(events.get(0).metadata().causationId()).isEqualTo("c-1");
                    assertThat(events.get(0).metadata().correlationId()).isEqualTo("r-1");
                    assertThat(events.get(0).streamVersion()).isEqualTo(1);
                });
    }

    @Test
    void given_events_may_carry_their_own_ids_and_metadata() {
        accounts.given(new dev.rewind.NewEvent(java.util.UUID.randomUUID(), opened,
                        dev.rewind.Metadata.correlatedBy("import-3")))
                .when(new Deposit("1", 5))
                .then(new MoneyDeposited("1", 5));
    }

    @Test
    void different_events_show_expected_and_actual_one_per_line() {
        assertThatThrownBy(() -> accounts.given(opened).when(new Deposit("1", 5)).then(new MoneyDeposited("1", 6)))
                .isExactlyInstanceOf(AssertionError.class)
                .hasMessage("""
                        when Deposit[accountId=1, amount=5]
                        expected events:
                          0: MoneyDeposited[accountId=1, amount=6]
                        actual events:
                          0: MoneyDeposited[accountId=1, amount=5]
                        first difference at event 0""");
    }

    @Test
    void a_missing_or_extra_event_is_shown_with_where_the_lists_part() {
        assertThatThrownBy(() -> accounts.given(opened).when(new Deposit("1", 2_000))
                .then(new MoneyDeposited("1", 2_000)))
                .hasMessage("""
                        when Deposit[accountId=1, amount=2000]
                        expected events:
                          0: MoneyDeposited[accountId=1, amount=2000]
                        actual events:
                          0: MoneyDeposited[accountId=1, amount=2000]
                          1: MoneyDeposited[accountId=1, amount=20]
                        first difference at event 1""");
        assertThatThrownBy(() -> accounts.given(opened).when(new Audit("1", "x")).then(new MoneyDeposited("1", 1)))
                .hasMessage("""
                        when Audit[accountId=1, note=x]
                        expected events:
                          0: MoneyDeposited[accountId=1, amount=1]
                        actual events:
                          (none)
                        first difference at event 0""");
    }

    @Test
    void expecting_events_from_a_command_that_failed_shows_the_failure() {
        assertThatThrownBy(() -> accounts.givenNoPriorActivity().when(new Deposit("1", 5))
                .then(new MoneyDeposited("1", 5)))
                .isExactlyInstanceOf(AssertionError.class)
                .hasMessage("""
                        when Deposit[accountId=1, amount=5]
                        expected events:
                          0: MoneyDeposited[accountId=1, amount=5]
                        but the command failed with AccountRuleViolation: account 1 is not open""")
                .hasCauseExactlyInstanceOf(AccountRuleViolation.class);
    }

    @Test
    void expecting_a_failure_from_a_command_that_succeeded_shows_its_events() {
        assertThatThrownBy(() -> accounts.given(opened).when(new Deposit("1", 5)).thenFails(AccountRuleViolation.class))
                .hasMessage("""
                        when Deposit[accountId=1, amount=5]
                        expected the command to fail with AccountRuleViolation
                        but it succeeded with events:
                          0: MoneyDeposited[accountId=1, amount=5]""");
    }

    @Test
    void another_failure_than_expected_is_shown_with_its_message() {
        assertThatThrownBy(() -> accounts.given(opened).when(new Withdraw("1", 5)).thenFails(IllegalStateException.class))
                .hasMessage("""
                        when Withdraw[accountId=1, amount=5]
                        expected the command to fail with IllegalStateException
                        but it failed with InsufficientFunds: account 1 has 0, cannot withdraw 5""");
        assertThatThrownBy(() -> accounts.given(opened).when(new Withdraw("1", 5))
                .thenFails(InsufficientFunds.class, "not enough money"))
                .hasMessage("""
                        when Withdraw[accountId=1, amount=5]
                        expected the command to fail with InsufficientFunds: not enough money
                        but it failed with InsufficientFunds: account 1 has 0, cannot withdraw 5""");
    }

    @Test
    void a_command_message_is_shown_with_its_id() {
        assertThatThrownBy(() -> accounts.given(opened).when(CommandMessage.of(new Audit("1", "x")).withId("c-9"))
                .thenFails(RuntimeException.class))
                .hasMessageStartingWith("when Audit[accountId=1, note=x] (command id c-9)\n");
    }

    @Test
    void the_scenario_runs_once_however_many_expectations_follow() {
        AggregateFixture<Account>.Then then = accounts.given(opened).when(new Deposit("1", 5));
        then.then(new MoneyDeposited("1", 5)).then(new MoneyDeposited("1", 5))
                .thenState(account -> assertThat(account.balance()).isEqualTo(5));
    }

    // an aggregate whose event is at schema version 2, with an upcaster from version 1

    @Event(name = "Counted", version = 2)
    record Counted(String tallyId, long amount, String unit) {
    }

    record Count(@TargetAggregateId String tallyId, long amount) {
    }

    @Aggregate(streamPrefix = "tally-")
    static final class Tally {
        long total;

        @CommandHandler
        Counted handle(Count command) {
            return new Counted(command.tallyId(), command.amount(), "pieces");
        }

        @EventSourcingHandler
        void on(Counted event) {
            total += event.amount();
        }
    }

    @Test
    void old_events_given_in_their_stored_form_go_through_the_upcasters() {
        AggregateFixture.of(Tally.class)
                .configure(b -> b.upcaster("Counted", 1, json -> json.put("unit", "pieces")))
                .given(RawEvent.of("Counted", 1, "{\"tallyId\":\"t\",\"amount\":3}"))
                .when(new Count("t", 2))
                .then(new Counted("t", 2, "pieces"))
                .thenState(tally -> assertThat(tally.total).isEqualTo(5));
    }

    @Test
    void an_invalid_aggregate_fails_when_the_fixture_is_made() {
        assertThatThrownBy(() -> AggregateFixture.of(String.class))
                .hasMessageStartingWith("java.lang.String is not annotated @Aggregate");
    }
}
