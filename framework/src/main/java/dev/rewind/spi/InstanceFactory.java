package dev.rewind.spi;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;

/**
 * Creates the instances of application classes that Rewind finds rather than is given:
 * {@link dev.rewind.annotation.Projection @Projection} classes, {@link dev.rewind.annotation.Upcaster @Upcaster}
 * classes found by scanning, and, when a factory is set, command-handler services found by scanning
 * (classes with {@link dev.rewind.annotation.CommandHandler @CommandHandler} methods that are not
 * aggregates). Set one with {@code Rewind.builder().instanceFactory(factory)}, for example to let a
 * dependency-injection container build them with constructor injection:
 *
 * <pre>{@code
 * Rewind.builder().instanceFactory(type -> container.create(type))
 * }</pre>
 *
 * <p><b>A fresh instance each time.</b> A projection's instance holds its state, so Rewind asks again
 * whenever it needs an empty one: at start, for each rebuild (the fresh instance is filled in the
 * background while the old one still answers queries), to read a snapshot back, and for a temporal query
 * ({@code stateAt}) that replays into a scratch instance. A factory must therefore return a new object
 * at every call for a projection class, never a shared (singleton) one. Upcasters and services are asked
 * for once, at start-up, and may be shared.
 *
 * <p>Fields a factory fills (injected collaborators) are not state: mark them {@code transient} in a
 * projection that keeps snapshots, so that they are not written into the snapshot.
 *
 * <p>Event processors are not created through a factory: scanning does not look for them, since a
 * processor has side effects that a test scanning the application's packages must not start; they are
 * registered as instances ({@code eventProcessors(...)}). Aggregates are domain state, rebuilt from
 * their events, and keep their no-argument constructor.
 *
 * <p>When none is set, {@link #noArgConstructor()} is used; it also decides what a class must look like
 * at start-up (a public or package-private no-argument constructor). With a factory of its own, Rewind
 * checks only that a projection class is concrete and static, and leaves the constructor to the factory.
 */
@FunctionalInterface
public interface InstanceFactory {

    /**
     * Creates an instance. Called at start-up and, for projections, again at every rebuild, snapshot
     * read and temporal query (see the class comment); it may be called from any thread of the runtime.
     *
     * @param type the class, as found by Rewind
     * @param <T> the class
     * @return a new instance of {@code type} (or of a subclass)
     * @throws RuntimeException when it cannot: Rewind reports it with the class's name and the kind of
     *     component (a failure at start-up stops {@code build()})
     */
    <T> T create(Class<T> type);

    /**
     * @return the default: calls the class's no-argument constructor, of any visibility but private
     */
    static InstanceFactory noArgConstructor() {
        return NoArgConstructor.INSTANCE;
    }

    /** The default factory; a type of its own so that Rewind can tell it from an application's one. */
    final class NoArgConstructor implements InstanceFactory {
        static final NoArgConstructor INSTANCE = new NoArgConstructor();

        private NoArgConstructor() {
        }

        /**
         * @param type a concrete class with a no-argument constructor
         * @param <T> the class
         * @return a new instance
         * @throws IllegalStateException when it has no such constructor or the constructor throws
         */
        @Override
        public <T> T create(Class<T> type) {
            try {
                Constructor<T> c = type.getDeclaredConstructor();
                c.setAccessible(true); // package-private constructors are allowed, as they always were
                return c.newInstance();
            } catch (InvocationTargetException e) {
                throw new IllegalStateException("the constructor of " + type.getName() + " threw " + e.getCause(),
                        e.getCause());
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException("cannot call the no-argument constructor of " + type.getName()
                        + " (" + e + ")", e);
            }
        }

        @Override
        public String toString() {
            return "InstanceFactory.noArgConstructor()";
        }
    }
}
