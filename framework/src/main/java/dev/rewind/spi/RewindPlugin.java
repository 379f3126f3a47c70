package dev.rewind.spi;

/**
 * A jar's contribution to an application: event types, projections, parameter resolvers, upcasters...
 * found by {@link java.util.ServiceLoader} in
 * {@code META-INF/services/dev.rewind.spi.RewindPlugin}, without any code of the application naming it.
 * Implementations need a public no-argument constructor.
 *
 * <p>A plugin that fails to load, or whose {@link #register} throws, is logged with its name and skipped
 * (nothing it registered is kept); two plugins registering the same projection name or event type stop
 * start-up with an error naming both. {@link #register} is called once, at start-up.
 */
public interface RewindPlugin {
    /** @param registrar receives this plugin's components */
    void register(Registrar registrar);

    /** @return a name for logs and error messages; the class name by default */
    default String name() {
        return getClass().getName();
    }
}
