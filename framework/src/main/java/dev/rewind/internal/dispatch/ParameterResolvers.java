package dev.rewind.internal.dispatch;

import dev.rewind.Metadata;
import dev.rewind.StoredEvent;
import dev.rewind.annotation.Replaying;
import dev.rewind.annotation.StreamId;
import dev.rewind.spi.ParameterResolver;
import java.lang.reflect.Parameter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The ordered list of {@link ParameterResolver}s: the built-ins (envelope, metadata, recordedAt,
 * {@code @StreamId String}, {@code @Replaying boolean},
 * {@code java.sql.Connection} for table projections) and the extra ones, highest {@link ParameterResolver#priority()} first; on a
 * tie the built-ins come first, then extras in registration order. Asked once per handler parameter, at
 * registration, never per event.
 */
public final class ParameterResolvers {
    private final List<ParameterResolver> ordered;

    /** @param extras extra resolvers (from the builder, plugins and {@code META-INF/services}) */
    public ParameterResolvers(List<ParameterResolver> extras) {
        List<ParameterResolver> all = new ArrayList<>(builtIns());
        all.addAll(extras);
        all.sort(Comparator.comparingInt(ParameterResolver::priority).reversed()); // stable
        this.ordered = List.copyOf(all);
    }

    /**
     * @param parameter a handler parameter (not the first)
     * @return the function giving its argument from the event, or null when no resolver handles it
     */
    public Function<StoredEvent<?>, Object> resolve(Parameter parameter) {
        for (ParameterResolver r : ordered) {
            Function<StoredEvent<?>, Object> f = r.resolve(parameter);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    /** @return the resolvers in the order they are asked */
    public List<ParameterResolver> ordered() {
        return ordered;
    }

    private static List<ParameterResolver> builtIns() {
        return List.of(
                new BuiltIn("StoredEvent", p -> p.getType() == StoredEvent.class ? e -> e : null),
                new BuiltIn("Metadata", p -> p.getType() == Metadata.class ? StoredEvent::metadata : null),
                new BuiltIn("Instant (recordedAt)", p -> p.getType() == Instant.class ? StoredEvent::recordedAt : null),
                new BuiltIn("@StreamId String", p -> p.getType() == String.class && p.isAnnotationPresent(StreamId.class)
                        ? StoredEvent::streamId : null),
                new BuiltIn("@Replaying boolean", p -> p.getType() == boolean.class && p.isAnnotationPresent(Replaying.class)
                        ? e -> ReplayContext.replaying(e.globalPosition()) : null),
                // the batch's transaction of a table projection (docs/adr/0016-table-projections.md)
                new BuiltIn("java.sql.Connection", p -> p.getType() == java.sql.Connection.class
                        ? e -> TransactionContext.current() : null));
    }

    private record BuiltIn(String name, Function<Parameter, Function<StoredEvent<?>, Object>> f)
            implements ParameterResolver {
        @Override
        public Function<StoredEvent<?>, Object> resolve(Parameter parameter) {
            return f.apply(parameter);
        }

        @Override
        public String toString() {
            return "built-in resolver for " + name;
        }
    }
}
