package dev.rewind.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.ExpectedVersion;
import dev.rewind.Rewind;
import dev.rewind.annotation.Aggregate;
import dev.rewind.annotation.CommandHandler;
import dev.rewind.annotation.Event;
import dev.rewind.annotation.EventSourcingHandler;
import dev.rewind.annotation.TargetAggregateId;
import dev.rewind.command.bank.Account;
import dev.rewind.command.bank.AccountEvent;
import dev.rewind.command.bank.AccountOpened;
import dev.rewind.command.bank.Bank;
import dev.rewind.command.bank.Deposit;
import dev.rewind.command.bank.FeeCharged;
import dev.rewind.command.bank.MoneyDeposited;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Start-up checks: {@code build()} refuses with an {@link IllegalStateException} naming the class or method and the fix. */
class CommandHandlerValidationTest {
    private static final String P = CommandHandlerValidationTest.class.getName() + "$";

    private static Rewind.Builder builder() {
        return Rewind.builder().discoverPlugins(false).eventTypes(Bank.EVENTS);
    }

    private static Rewind buildWith(Class<?> aggregate) {
        return builder().aggregate(aggregate).build();
    }

    private static Rewind buildWithService(Object service) {
        return builder().commandHandlers(service).build();
    }

    static final class SecondDepositHandler {
        @CommandHandler
        MoneyDeposited handle(Deposit command, Account account) {
            return null;
        }
    }

    @Test
    void two_handlers_for_one_command_type_stop_start_up_naming_both() {
        assertThatThrownBy(() -> builder().aggregate(Account.class).commandHandlers(new SecondDepositHandler()).build())
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("command dev.rewind.command.bank.Deposit has two @CommandHandler methods:"
                        + " java.util.List<dev.rewind.command.bank.AccountEvent> dev.rewind.command.bank.Account.handle("
                        + "dev.rewind.command.bank.Deposit) and dev.rewind.command.bank.MoneyDeposited " + P
                        + "SecondDepositHandler.handle(dev.rewind.command.bank.Deposit,dev.rewind.command.bank.Account);"
                        + " a command type has exactly one handler");
    }

    record NoTarget(String id) {
    }

    @Aggregate
    static final class NeedsTarget {
        @CommandHandler
        Object handle(NoTarget command) {
            return null;
        }
    }

    @Test
    void a_command_without_a_target_aggregate_id_is_named_with_the_fix() {
        assertThatThrownBy(() -> buildWith(NeedsTarget.class))
                .hasMessage("command " + P + "NoTarget has no @TargetAggregateId component: annotate the one that"
                        + " names the aggregate, e.g. record NoTarget(@TargetAggregateId String id, ...)");
    }

    record TwoTargets(@TargetAggregateId String a, @TargetAggregateId String b) {
    }

    @Aggregate
    static final class AmbiguousTarget {
        @CommandHandler
        Object handle(TwoTargets command) {
            return null;
        }
    }

    @Test
    void a_command_with_two_target_ids_is_an_error() {
        assertThatThrownBy(() -> buildWith(AmbiguousTarget.class))
                .hasMessage("command " + P + "TwoTargets has 2 @TargetAggregateId components (a, b): exactly one"
                        + " names the aggregate");
    }

    @Aggregate
    static final class ClassCommand {
        @CommandHandler
        Object handle(StringBuilder command) {
            return null;
        }
    }

    @Test
    void a_command_that_is_not_a_record_is_an_error() {
        assertThatThrownBy(() -> buildWith(ClassCommand.class))
                .hasMessage("@CommandHandler method java.lang.Object " + P + "ClassCommand.handle(java.lang.StringBuilder)"
                        + " takes java.lang.StringBuilder, which is not a record: declare commands as records with one"
                        + " @TargetAggregateId component");
    }

    @Aggregate
    static final class NoDefaultConstructor {
        NoDefaultConstructor(int x) {
        }
    }

    @Test
    void an_aggregate_without_a_no_argument_constructor_is_named_with_the_fix() {
        assertThatThrownBy(() -> buildWith(NoDefaultConstructor.class))
                .hasMessage("@Aggregate " + P + "NoDefaultConstructor has no no-argument constructor: add one (it may"
                        + " be private); the gateway creates a fresh instance for every command");
    }

    @Test
    void a_class_without_the_annotation_is_not_an_aggregate() {
        assertThatThrownBy(() -> buildWith(String.class))
                .hasMessage("java.lang.String is not annotated @Aggregate: annotate the class whose state its stream"
                        + " rebuilds, or register a service with commandHandlers(...)");
    }

    @Aggregate
    static final class TwoParameterSourcing {
        @EventSourcingHandler
        void on(AccountOpened event, String extra) {
        }
    }

    @Test
    void an_event_sourcing_handler_parameter_after_the_event_needs_a_resolver() {
        assertThatThrownBy(() -> buildWith(TwoParameterSourcing.class))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("Unable to resolve parameter 1 (String) in @EventSourcingHandler method 'void " + P
                        + "TwoParameterSourcing.on(dev.rewind.command.bank.AccountOpened,java.lang.String)': declare it"
                        + " as StoredEvent, Metadata, Instant or @StreamId String, or register a ParameterResolver for it");
    }

    @Aggregate
    static final class StaticHandler {
        @CommandHandler
        static Object handle(Deposit command) {
            return null;
        }
    }

    @Test
    void a_static_handler_is_an_error() {
        assertThatThrownBy(() -> buildWith(StaticHandler.class))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("@CommandHandler method 'static java.lang.Object " + P
                        + "StaticHandler.handle(dev.rewind.command.bank.Deposit)' is static: make it an instance method");
    }

    static final class NotAnAggregateParameter {
        @CommandHandler
        Object handle(Deposit command, String account) {
            return null;
        }
    }

    @Test
    void a_service_handler_second_parameter_must_be_an_aggregate() {
        assertThatThrownBy(() -> buildWithService(new NotAnAggregateParameter()))
                .hasMessage("@CommandHandler method java.lang.Object " + P + "NotAnAggregateParameter.handle("
                        + "dev.rewind.command.bank.Deposit,java.lang.String): its second parameter java.lang.String is"
                        + " not annotated @Aggregate (the gateway loads that aggregate and passes it)");
    }

    @Test
    void a_service_given_as_a_class_is_refused_where_it_is_given() {
        assertThatThrownBy(() -> Rewind.builder().commandHandlers(SecondDepositHandler.class))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("a command handler service is an instance, not a class: pass new SecondDepositHandler(...),"
                        + " or register an @Aggregate class with aggregate(...)");
    }

    @Test
    void a_service_without_handlers_is_an_error() {
        assertThatThrownBy(() -> buildWithService(new Object()))
                .hasMessage("service java.lang.Object has no @CommandHandler method");
    }

    /** A composed annotation: @EventSourcingHandler works as a meta-annotation. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @EventSourcingHandler
    @interface Applies {
    }

    /** The most specific sourcing handler wins; a supertype handler receives the rest. */
    @Aggregate
    static final class Ledger {
        final List<String> seen = new ArrayList<>();

        @EventSourcingHandler
        void any(AccountEvent event) {
            seen.add("any:" + event.getClass().getSimpleName());
        }

        @Applies
        void opened(AccountOpened event) {
            seen.add("opened");
        }
    }

    /** A registered event that is not an account event. */
    @Event(name = "Memo")
    record Memo(String text) {
    }

    @Test
    void the_most_specific_event_sourcing_handler_is_called_and_meta_annotations_count() {
        try (Rewind rewind = builder().eventTypes(Memo.class).aggregate(Ledger.class).build()) {
            rewind.store().append("1", ExpectedVersion.noStream(),
                    List.of(new AccountOpened("1", "ada"), new FeeCharged("1", 2), new Memo("not an account event")));

            Ledger ledger = rewind.commands().load(Ledger.class, "1");

            assertThat(ledger.seen).containsExactly("opened", "any:FeeCharged");
        }
    }

    /** A record a handler returns, never annotated @Event. */
    record Noted(String accountId) {
    }

    @Aggregate
    static final class ReturnsPlainRecord {
        @CommandHandler
        Noted handle(Deposit command) {
            return new Noted(command.accountId());
        }
    }

    @Aggregate
    static final class ReturnsPlainRecords {
        @CommandHandler
        List<? extends Noted> handle(Deposit command) {
            return List.of();
        }
    }

    @Test
    void a_handler_declared_to_return_a_record_without_event_is_refused_at_build_with_no_class_name_as_event_name() {
        for (Class<?> aggregate : List.of(ReturnsPlainRecord.class, ReturnsPlainRecords.class)) {
            String method = aggregate.getDeclaredMethods()[0].toGenericString();
            assertThatThrownBy(() -> buildWith(aggregate))
                    .isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessage("@CommandHandler method '" + method + "' returns " + P + "Noted, a record that is not"
                            + " annotated @Event: annotate the record with @Event(name = \"...\") giving the name its"
                            + " events are stored under (never rely on the class name), and register or scan it")
                    .message().doesNotContain("\"Noted\"");
        }
    }

    @Aggregate
    static final class ReturnsUnregistered {
        @CommandHandler
        List<Memo> handle(Deposit command) {
            return List.of(new Memo(command.accountId()));
        }
    }

    @Test
    void a_handler_declared_to_return_an_unregistered_event_record_is_refused_at_build() throws Exception {
        String method = ReturnsUnregistered.class.getDeclaredMethod("handle", Deposit.class).toGenericString();
        assertThatThrownBy(() -> buildWith(ReturnsUnregistered.class))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("@CommandHandler method '" + method + "' returns " + P + "Memo, an @Event record that is"
                        + " not registered: scan its package or register it");
        builder().eventTypes(Memo.class).aggregate(ReturnsUnregistered.class).build().close();
    }

    @Test
    void every_start_up_mistake_on_the_command_side_is_an_illegal_state_exception() {
        for (Class<?> aggregate : List.of(NeedsTarget.class, AmbiguousTarget.class, ClassCommand.class,
                NoDefaultConstructor.class, String.class, TwoParameterSourcing.class, StaticHandler.class)) {
            assertThatThrownBy(() -> buildWith(aggregate)).as(aggregate.getName())
                    .isExactlyInstanceOf(IllegalStateException.class);
        }
        assertThatThrownBy(() -> buildWithService(new NotAnAggregateParameter()))
                .isExactlyInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> buildWithService(new Object())).isExactlyInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> builder().aggregate(Unregistered.class).build())
                .isExactlyInstanceOf(IllegalStateException.class);
    }

    @Aggregate
    static final class Unregistered {
        @EventSourcingHandler
        void on(Memo memo) {
        }
    }
}
