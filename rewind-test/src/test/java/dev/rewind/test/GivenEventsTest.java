package dev.rewind.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.NewEvent;
import dev.rewind.RawEvent;
import dev.rewind.annotation.Aggregate;
import dev.rewind.annotation.CommandHandler;
import dev.rewind.annotation.Event;
import dev.rewind.annotation.EventSourcingHandler;
import dev.rewind.annotation.TargetAggregateId;
import dev.rewind.command.bank.Account;
import dev.rewind.command.bank.AccountOpened;
import dev.rewind.command.bank.AccountRuleViolation;
import dev.rewind.command.bank.Deposit;
import dev.rewind.command.bank.InsufficientFunds;
import dev.rewind.command.bank.MoneyDeposited;
import dev.rewind.command.bank.OpenAccount;
import dev.rewind.command.bank.Withdraw;
import dev.rewind.test.meter.Meter;
import dev.rewind.test.meter.Metered;
import dev.rewind.test.meter.Read;
import org.junit.jupiter.api.Test;

/** Given events go to the stream of the aggregate they name; the fixture finds upcasters by scanning. */
class GivenEventsTest {
    private final AggregateFixture<Account> accounts = AggregateFixture.of(Account.class);

    @Test
    void an_event_of_another_aggregate_goes_to_that_aggregates_stream_not_to_the_commands() {
        accounts.given(new AccountOpened("B", "bob"))
                .when(new Deposit("A", 5))
                .thenFails(AccountRuleViolation.class, "account A is not open")
                .thenState(a -> assertThat(a.isOpen()).isFalse());
    }

    @Test
    void events_of_several_aggregates_each_rebuild_their_own() {
        accounts.given(new AccountOpened("A", "ada"), new AccountOpened("B", "bob"), new MoneyDeposited("B", 100))
                .when(new Withdraw("A", 50))
                .thenFails(InsufficientFunds.class, "account A has 0, cannot withdraw 50");
        accounts.given(new AccountOpened("A", "ada"), new AccountOpened("B", "bob"), new MoneyDeposited("B", 100))
                .when(new Withdraw("B", 50))
                .then(new dev.rewind.command.bank.MoneyWithdrawn("B", 50))
                .thenState(b -> assertThat(b.balance()).isEqualTo(50));
    }

    @Test
    void the_aggregate_of_a_given_event_with_its_own_ids_and_metadata_is_read_from_its_payload() {
        accounts.given(NewEvent.of(new AccountOpened("B", "bob")))
                .when(new Deposit("A", 5))
                .thenFails(AccountRuleViolation.class, "account A is not open");
    }

    /** A bank-wide event: it names no account. */
    @Event(name = "BankHoliday")
    record BankHoliday(String date) {
    }

    @Test
    void an_event_that_names_no_aggregate_is_refused_with_the_fix() {
        assertThatThrownBy(() -> accounts.given(new AccountOpened("A", "ada"), new BankHoliday("2024-12-25"))
                .when(new Deposit("A", 5)))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("given event 1 (BankHoliday[date=2024-12-25]) names no aggregate: BankHoliday has no"
                        + " component 'accountId' (the @TargetAggregateId component of Deposit) and none annotated"
                        + " @TargetAggregateId: name the aggregate in a component 'accountId' (or one annotated"
                        + " @TargetAggregateId), or give the event with givenFor(aggregateId, ...) /"
                        + " andGivenFor(aggregateId, ...)");
        assertThatThrownBy(() -> accounts.given(new AccountOpened(null, "ada")).when(new Deposit("A", 5)))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("given event 0 (AccountOpened[accountId=null, owner=ada]) names no aggregate:"
                        + " its component 'accountId' is null: name the aggregate");
    }

    @Test
    void given_for_puts_events_into_the_stream_of_the_aggregate_it_names_whatever_they_contain() {
        accounts.givenFor("A", new AccountOpened("B", "bob"), new BankHoliday("2024-12-25"))
                .when(new Deposit("A", 5))
                .then(new MoneyDeposited("A", 5))
                .thenState(a -> assertThat(a.owner()).isEqualTo("bob"));
    }

    @Test
    void given_steps_add_up_in_order() {
        accounts.givenCommands(new OpenAccount("A", "ada"))
                .andGiven(new MoneyDeposited("A", 10))
                .andGivenFor("A", new MoneyDeposited("ignored-id", 5))
                .andGivenCommands(new Deposit("A", 1))
                .when(new Withdraw("A", 16))
                .then(new dev.rewind.command.bank.MoneyWithdrawn("A", 16))
                .thenState(a -> assertThat(a.balance()).isZero());
    }

    // an event that names its aggregate in a component annotated @TargetAggregateId, under another name

    @Event(name = "Counted")
    record Counted(String counterId, long amount) {
    }

    @Event(name = "Imported")
    record Imported(@TargetAggregateId String counter, long amount) {
    }

    record Count(@TargetAggregateId String counterId, long amount) {
    }

    @Aggregate(streamPrefix = "counter-")
    static final class Counter {
        long total;

        @CommandHandler
        Counted handle(Count command) {
            return new Counted(command.counterId(), command.amount());
        }

        @EventSourcingHandler
        void on(Counted e) {
            total += e.amount();
        }

        @EventSourcingHandler
        void on(Imported e) {
            total += e.amount();
        }
    }

    @Test
    void a_component_annotated_target_aggregate_id_names_the_aggregate_of_an_event() {
        AggregateFixture.of(Counter.class)
                .given(new Imported("c", 10), new Imported("other", 99), new Counted("c", 1))
                .when(new Count("c", 2))
                .then(new Counted("c", 2))
                .thenState(c -> assertThat(c.total).isEqualTo(13));
    }

    @Test
    void a_raw_event_names_its_aggregate_in_the_json_field_of_that_name() {
        AggregateFixture<Meter> meters = AggregateFixture.of(Meter.class).scanPackages("dev.rewind.test.meter");
        meters.given(RawEvent.of("Metered", 1, "{\"meterId\":\"m\",\"amount\":3}"),
                        RawEvent.of("Metered", 1, "{\"meterId\":\"other\",\"amount\":40}"))
                .when(new Read("m", 2))
                .then(new Metered("m", 2, "kWh"))
                .thenState(m -> assertThat(m.total()).isEqualTo(5));
        assertThatThrownBy(() -> meters.given(RawEvent.of("Metered", 1, "{\"amount\":3}")).when(new Read("m", 2)))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("given event 0 (Metered v1 {\"amount\":3}) names no aggregate: its JSON has no"
                        + " field 'meterId' (the @TargetAggregateId component of Read): name the aggregate");
    }

    @Test
    void a_raw_event_that_cannot_be_upcast_says_how_to_register_its_upcasters() {
        assertThatThrownBy(() -> AggregateFixture.of(Meter.class)
                .given(RawEvent.of("Metered", 1, "{\"meterId\":\"m\",\"amount\":3}"))
                .when(new Read("m", 2))
                .then(new Metered("m", 2, "kWh")))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("given event 0: raw event ")
                .hasMessageContaining(" cannot be upcast: no upcaster from Metered v1 to v2")
                .hasMessageEndingWith(": register the upcasters of Metered with the fixture's"
                        + " scanPackages(\"the.package.of.its.upcasters\") or withUpcaster(\"Metered\", 1, upcaster),"
                        + " one per version step");
    }

    @Test
    void an_upcaster_given_to_the_fixture_upcasts_given_raw_events() {
        AggregateFixture.of(Meter.class)
                .withUpcaster("Metered", 1, json -> json.put("unit", "Wh"))
                .given(RawEvent.of("Metered", 1, "{\"meterId\":\"m\",\"amount\":3}"))
                .when(new Read("m", 2))
                .then(new Metered("m", 2, "kWh"))
                .thenState(m -> assertThat(m.total()).isEqualTo(5));
    }

    // a service whose command decides on another aggregate class than the fixture's

    record Tag(@TargetAggregateId String counterId) {
    }

    static final class Tagger {
        @CommandHandler
        Counted handle(Tag command, Counter counter) {
            return new Counted(command.counterId(), 1);
        }
    }

    @Test
    void a_command_on_another_aggregate_class_than_the_fixtures_is_named() {
        assertThatThrownBy(() -> accounts.withService(new Tagger()).givenNoPriorActivity().when(new Tag("c"))
                .then(new Counted("c", 1)))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("the command Tag[counterId=c] went to stream 'counter-c', not to 'account-c' of an Account:"
                        + " an AggregateFixture<Account> tests commands on Accounts only");
    }

    @Test
    void a_command_without_an_aggregate_id_fails_as_the_gateway_says_and_has_no_state() {
        accounts.given(new AccountOpened("A", "ada"))
                .when(new Deposit(null, 5))
                .thenFails(IllegalArgumentException.class, "command Deposit has a null @TargetAggregateId component 'accountId'")
                .thenState(a -> assertThat(a).isNull());
    }
}
