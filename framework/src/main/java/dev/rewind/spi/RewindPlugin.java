package dev.rewind.spi;

/**
 * A jar's contribution to an application: event types, projections, parameter resolvers, upcasters,
 * aggregates and command handler services. Found by {@link java.util.ServiceLoader} in
 * {@code META-INF/services/dev.rewind.spi.RewindPlugin}, without any code of the application naming it
 * (implementations then need a public no-argument constructor), or given to
 * {@code Rewind.builder().plugin(...)} by an application that creates it itself.
 *
 * <p>A discovered plugin that fails to load, or whose {@link #register} throws, is logged with its name and
 * skipped (nothing it registered is kept); a plugin given to the builder that throws stops start-up. Two
 * plugins registering the same projection name, event type, aggregate or service class stop start-up with
 * an error naming both, however each was found. {@link #register} is called once per
 * {@code Rewind.builder().build()}.
 */
public interface RewindPlugin {
    /** @param registrar receives this plugin's components */
    void register(Registrar registrar);

    /** @return a name for logs and error messages; the class name by default */
    default String name() {
        return getClass().getName();
    }
}
