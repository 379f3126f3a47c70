package dev.rewind.internal.command;

import dev.rewind.command.bank.Bank;
import dev.rewind.internal.dispatch.EventIndex;
import dev.rewind.internal.dispatch.HandlerInspector;
import dev.rewind.internal.dispatch.ParameterResolvers;
import java.util.List;

/** Aggregate models and routing tables over the test bank's event types, as {@code Rewind.builder()} makes them. */
final class TestModels {
    static final EventIndex INDEX = new EventIndex(List.of(Bank.EVENTS));
    static final HandlerInspector INSPECTOR = new HandlerInspector(INDEX.classes(), new ParameterResolvers(List.of()));

    private TestModels() {
    }

    static <A> AggregateModel<A> inspect(Class<A> aggregate) {
        return AggregateModel.inspect(aggregate, INSPECTOR, INDEX);
    }

    static CommandHandlers handlers(Class<?> aggregate) {
        return CommandHandlers.builder().aggregate(aggregate).build(INSPECTOR, INDEX);
    }
}
