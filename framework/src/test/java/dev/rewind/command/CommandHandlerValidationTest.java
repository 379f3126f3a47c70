package dev.rewind.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.annotation.Aggregate;
import dev.rewind.annotation.CommandHandler;
import dev.rewind.annotation.EventSourcingHandler;
import dev.rewind.annotation.TargetAggregateId;
import dev.rewind.command.bank.Account;
import dev.rewind.command.bank.AccountEvent;
import dev.rewind.command.bank.AccountOpened;
import dev.rewind.command.bank.Deposit;
import dev.rewind.command.bank.FeeCharged;
import dev.rewind.command.bank.MoneyDeposited;
import dev.rewind.internal.command.AggregateModel;
import dev.rewind.internal.command.CommandHandlers;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Start-up checks: each names the class or method and the fix. */
class CommandHandlerValidationTest {
    private static final String P = CommandHandlerValidationTest.class.getName() + "$";

    static final class SecondDepositHandler {
        @CommandHandler
        MoneyDeposited handle(Deposit command, Account account) {
            return null;
        }
    }

    @Test
    void two_handlers_for_one_command_type_stop_start_up_naming_both() {
        assertThatThrownBy(() -> CommandHandlers.builder().aggregate(Account.class)
                .service(new SecondDepositHandler()).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
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
        assertThatThrownBy(() -> CommandHandlers.builder().aggregate(NeedsTarget.class).build())
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
        assertThatThrownBy(() -> CommandHandlers.builder().aggregate(AmbiguousTarget.class).build())
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
        assertThatThrownBy(() -> CommandHandlers.builder().aggregate(ClassCommand.class).build())
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
        assertThatThrownBy(() -> AggregateModel.inspect(NoDefaultConstructor.class))
                .hasMessage("@Aggregate " + P + "NoDefaultConstructor has no no-argument constructor: add one (it may"
                        + " be private); the gateway creates a fresh instance for every command");
    }

    @Test
    void a_class_without_the_annotation_is_not_an_aggregate() {
        assertThatThrownBy(() -> AggregateModel.inspect(String.class))
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
    void an_event_sourcing_handler_takes_exactly_the_event() {
        assertThatThrownBy(() -> AggregateModel.inspect(TwoParameterSourcing.class))
                .hasMessage("@EventSourcingHandler method void " + P + "TwoParameterSourcing.on("
                        + "dev.rewind.command.bank.AccountOpened,java.lang.String) must take exactly one parameter,"
                        + " the event");
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
        assertThatThrownBy(() -> CommandHandlers.builder().aggregate(StaticHandler.class).build())
                .hasMessage("@CommandHandler method static java.lang.Object " + P
                        + "StaticHandler.handle(dev.rewind.command.bank.Deposit) is static: make it an instance method");
    }

    static final class NotAnAggregateParameter {
        @CommandHandler
        Object handle(Deposit command, String account) {
            return null;
        }
    }

    @Test
    void a_service_handler_second_parameter_must_be_an_aggregate() {
        assertThatThrownBy(() -> CommandHandlers.builder().service(new NotAnAggregateParameter()).build())
                .hasMessage("@CommandHandler method java.lang.Object " + P + "NotAnAggregateParameter.handle("
                        + "dev.rewind.command.bank.Deposit,java.lang.String): its second parameter java.lang.String is"
                        + " not annotated @Aggregate (the gateway loads that aggregate and passes it)");
    }

    @Test
    void a_service_without_handlers_is_an_error() {
        assertThatThrownBy(() -> CommandHandlers.builder().service(new Object()).build())
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

    @Test
    void the_most_specific_event_sourcing_handler_is_called_and_meta_annotations_count() {
        AggregateModel<Ledger> model = AggregateModel.inspect(Ledger.class);
        Ledger ledger = model.newInstance();

        model.apply(ledger, new AccountOpened("1", "ada"));
        model.apply(ledger, new FeeCharged("1", 2));
        model.apply(ledger, "not an account event");

        assertThat(ledger.seen).containsExactly("opened", "any:FeeCharged");
    }
}
