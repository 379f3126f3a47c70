package dev.rewind.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.NewEvent;
import dev.rewind.Rewind;
import dev.rewind.StoredEvent;
import dev.rewind.annotation.Aggregate;
import dev.rewind.annotation.CommandHandler;
import dev.rewind.annotation.EventSourcingHandler;
import dev.rewind.annotation.StreamId;
import dev.rewind.annotation.TargetAggregateId;
import dev.rewind.command.bank.Account;
import dev.rewind.command.bank.AccountOpened;
import dev.rewind.command.bank.Bank;
import dev.rewind.command.bank.Deposit;
import dev.rewind.command.bank.MoneyDeposited;
import dev.rewind.command.bank.OpenAccount;
import dev.rewind.spi.ParameterResolver;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code @EventSourcingHandler}s take the parameters an {@code @EventHandler} takes, and
 * {@link CommandGateway#load} gives an aggregate as a command sees it.
 */
class EventSourcingHandlerTest {
    private static final Instant T0 = Instant.parse("2024-05-01T14:00:00Z");

    /** Resolved by the custom resolver below: who asked for the event, from its metadata. */
    record Requester(String name) {
    }

    static final class RequesterResolver implements ParameterResolver {
        @Override
        public java.util.function.Function<StoredEvent<?>, Object> resolve(java.lang.reflect.Parameter parameter) {
            return parameter.getType() == Requester.class
                    ? e -> new Requester(e.metadata().values().getOrDefault("requester", "nobody")) : null;
        }
    }

    record Touch(@TargetAggregateId String accountId) {
    }

    @Aggregate(streamPrefix = "ledger-")
    static final class Ledger {
        final List<String> lines = new ArrayList<>();
        String openedBy;

        @EventSourcingHandler
        void on(AccountOpened e, StoredEvent<?> envelope, Metadata metadata, Instant recordedAt, @StreamId String stream,
                Requester requester) {
            lines.add(e.owner() + " v" + envelope.streamVersion() + " in " + stream + " at " + recordedAt
                    + " correlated by " + metadata.correlationId());
            openedBy = requester.name();
        }

        @EventSourcingHandler
        void on(MoneyDeposited e, StoredEvent<?> envelope) {
            lines.add("+" + e.amount() + " at global position " + envelope.globalPosition());
        }

        @CommandHandler
        MoneyDeposited handle(Touch command) {
            return new MoneyDeposited(command.accountId(), lines.size()); // decides on the rebuilt state
        }
    }

    private static Rewind.Builder builder() {
        return Rewind.builder().discoverPlugins(false).eventTypes(Bank.EVENTS).clock(Clock.fixed(T0, ZoneOffset.UTC))
                .parameterResolver(new RequesterResolver()).aggregate(Ledger.class);
    }

    @Test
    void an_event_sourcing_handler_takes_the_envelope_metadata_time_stream_and_custom_parameters() {
        try (Rewind rewind = builder().build()) {
            rewind.store().append("ledger-7", ExpectedVersion.noStream(), List.of(
                    NewEvent.of(new AccountOpened("7", "ada"), Metadata.correlatedBy("req-1").with("requester", "bob"))));
            CommandResult touched = rewind.commands().send(new Touch("7")); // loads through the same handlers

            Ledger ledger = rewind.commands().load(Ledger.class, "7");

            assertThat(touched.payloads()).containsExactly(new MoneyDeposited("7", 1));
            assertThat(ledger.lines).containsExactly(
                    "ada v0 in ledger-7 at " + T0 + " correlated by req-1",
                    "+1 at global position 1");
            assertThat(ledger.openedBy).isEqualTo("bob");
        }
    }

    @Test
    void load_gives_the_aggregate_rebuilt_from_its_stream_and_a_fresh_one_for_an_empty_stream() {
        try (Rewind rewind = Rewind.builder().discoverPlugins(false).eventTypes(Bank.EVENTS).aggregate(Account.class)
                .build()) {
            rewind.commands().send(new OpenAccount("1", "ada"));
            rewind.commands().send(new Deposit("1", 30));

            Account one = rewind.commands().load(Account.class, "1");
            Account two = rewind.commands().load(Account.class, "2");

            assertThat(one.owner()).isEqualTo("ada");
            assertThat(one.balance()).isEqualTo(30);
            assertThat(two.isOpen()).isFalse();
            assertThat(rewind.commands().load(Account.class, "1")).isNotSameAs(one);
        }
    }

    @Test
    void load_names_an_unregistered_aggregate_and_a_missing_id() {
        try (Rewind rewind = builder().build()) {
            assertThatThrownBy(() -> rewind.commands().load(Account.class, "1"))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("dev.rewind.command.bank.Account is not a registered @Aggregate: register it with"
                            + " Rewind.builder().aggregate(...) or scan its package (the registered ones are ["
                            + Ledger.class.getName() + "])");
            assertThatThrownBy(() -> rewind.commands().load(Ledger.class, " "))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the id of the Ledger to load is blank");
        }
    }
}
