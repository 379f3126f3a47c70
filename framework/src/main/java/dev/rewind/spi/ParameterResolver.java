package dev.rewind.spi;

import dev.rewind.StoredEvent;
import java.lang.reflect.Parameter;
import java.util.function.Function;

/**
 * Resolves a parameter of an {@code @EventHandler} method beyond the first (the event itself). Asked
 * once per parameter, at registration; the function it returns is called for every event.
 *
 * <p>Built-in resolvers handle {@link StoredEvent}, {@link dev.rewind.Metadata},
 * {@link java.time.Instant} (recordedAt), {@code @StreamId String}, {@code @Replaying boolean} and, for a
 * projection kept in tables, {@link java.sql.Connection} (the transaction of its batch and checkpoint). Extra resolvers come from
 * plugins, or from {@code META-INF/services/dev.rewind.spi.ParameterResolver} (implementations need a
 * public no-argument constructor). Resolvers are asked in order of {@link #priority()}, highest first.
 */
public interface ParameterResolver {

    /**
     * @param parameter a handler method's parameter
     * @return a function from the event to the argument, or null when this resolver does not handle it
     */
    Function<StoredEvent<?>, Object> resolve(Parameter parameter);

    /** @return higher first; built-ins have 0 */
    default int priority() {
        return 0;
    }
}
