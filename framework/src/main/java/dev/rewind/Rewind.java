package dev.rewind;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rewind.internal.DefaultEventStore;
import dev.rewind.internal.EventPipeline;
import dev.rewind.internal.EventTypeRegistry;
import dev.rewind.internal.dispatch.EventIndex;
import dev.rewind.internal.dispatch.HandlerInspector;
import dev.rewind.internal.dispatch.ParameterResolvers;
import dev.rewind.internal.plugin.Assembly;
import dev.rewind.internal.plugin.Components;
import dev.rewind.internal.projection.DefaultProjections;
import dev.rewind.internal.projection.ProjectionType;
import dev.rewind.internal.scan.ComponentScan;
import dev.rewind.command.CommandGateway;
import dev.rewind.internal.command.CommandConfig;
import dev.rewind.spi.SnapshotStorage;
import dev.rewind.serialization.JacksonEventSerializer;
import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.EventUpcaster;
import dev.rewind.spi.InstanceFactory;
import dev.rewind.spi.RewindObserver;
import dev.rewind.internal.Observers;
import dev.rewind.spi.ParameterResolver;
import dev.rewind.internal.StorageUrls;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.spi.projection.ProjectionStore;
import dev.rewind.spi.storage.ProjectionStoreHost;
import dev.rewind.storage.memory.InMemoryProjectionStore;
import dev.rewind.spi.RewindPlugin;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point: assembles an event store and its projections once, at start-up.
 *
 * <pre>{@code
 * try (Rewind rewind = Rewind.builder()
 *         .storage("file:data")                 // the embedded file log (the default: file:rewind-data)
 *         .scanPackages("com.example.orders")   // @Event records, @Projection, @Upcaster and @Aggregate classes
 *         .build()) {                           // plus every RewindPlugin on the class path
 *     rewind.store().append("order-42", ExpectedVersion.noStream(), List.of(new OrderPlaced(...)));
 *     Map<String, Long> totals = rewind.projections().state("order_totals");
 * }
 * }</pre>
 *
 * <p>{@link Builder#build()} gathers the components the builder names, those every
 * {@link dev.rewind.spi.RewindPlugin} registers (given to {@link Builder#plugin} or found on the class
 * path) and those found by scanning (one scan, at start-up),
 * validates them all (event types and upcaster chains, handler signatures, projection classes and
 * names), restores each projection from its snapshot where it keeps one, then feeds every synchronous
 * projection the events stored after it before returning (asynchronous ones catch up on their own
 * threads). Any error stops
 * start-up with a message naming what is wrong, where, and the fix. Closing it closes the storage.
 */
public final class Rewind implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Rewind.class);
    private final EventStorage storage;
    private final DefaultEventStore store;
    private final DefaultProjections projections;
    private final ComponentScan scan;
    private final CommandGateway commands;
    /**
     * {@code <hostname>-<pid>-<random>}: readable in logs (which machine, which process) and unique even for
     * two starts of one process id, as after a container restart.
     */
    private static String defaultInstanceId() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException | RuntimeException e) {
                host = "unknown-host";
            }
        }
        return host + "-" + ProcessHandle.current().pid() + "-"
                + Integer.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextInt(0x10000, 0x100000));
    }

    /** Null when none was set. */
    private final RewindObserver observer;
    private volatile boolean open = true;

    private Rewind(Builder b) {
        ClassLoader loader = b.classLoader != null ? b.classLoader : defaultLoader();
        Assembly assembly = Assembly.assemble(b.components, List.copyOf(b.plugins), loader, b.discoverPlugins,
                b.instanceFactory);
        this.scan = assembly.scan();
        EventTypeRegistry.Builder types = EventTypeRegistry.builder();
        for (Class<?> c : assembly.eventTypes()) {
            types.type(c, "Rewind");
        }
        assembly.upcasters().forEach(u -> types.upcaster(u.type(), u.from(), u.upcaster(), u.origin()));
        assembly.renames().forEach(r -> types.rename(r.oldName(), r.newName(), r.origin()));
        EventTypeRegistry registry = types.build();

        EventIndex index = new EventIndex(registry.types().keySet());
        HandlerInspector inspector = new HandlerInspector(index.classes(), new ParameterResolvers(assembly.resolvers()));
        List<ProjectionType> projectionTypes = new ArrayList<>();
        for (Class<?> c : assembly.projections()) {
            projectionTypes.add(ProjectionType.of(c, inspector, index, b.instanceFactory));
        }
        Map<ProjectionType, Object> processors = new LinkedHashMap<>();
        for (Object p : assembly.processors()) {
            processors.put(ProjectionType.processor(p.getClass(), inspector, index), p);
        }

        this.storage = b.storage != null ? b.storage : StorageUrls.open(b.storageUrl(), loader);
        try {
            JacksonEventSerializer serializer = b.serializer != null ? b.serializer : new JacksonEventSerializer();
            EventPipeline pipeline = new EventPipeline(registry, serializer);
            this.observer = Observers.combine(b.observers);
            this.store = new DefaultEventStore(storage, pipeline, b.clock, observer);
            ProjectionStore projectionStore = b.projectionStore != null ? b.projectionStore
                    : storage instanceof ProjectionStoreHost host ? host.projectionStore() : new InMemoryProjectionStore();
            this.projections = new DefaultProjections(store, index, projectionTypes, processors, projectionStore,
                    b.projectionDefaults, b.projectionSettings,
                    b.instanceId != null ? b.instanceId : defaultInstanceId(), b.leaseDuration);
            this.commands = b.commandConfig(assembly).build(store, inspector, index, scan);
            if (observer != null) {
                observer.started(Observers.view(() -> open, store, projections, storage));
            }
        } catch (RuntimeException | Error e) {
            if (b.storage == null) {
                storage.close(); // opened here: release it (a file storage's lock) before failing
            }
            throw e;
        }
    }

    private static ClassLoader defaultLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : Rewind.class.getClassLoader();
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the event store */
    public EventStore store() {
        return store;
    }

    /**
     * @return the projection runtime: projections (live state, typed queries, temporal queries, rebuilds),
     *     event processors and subscriptions (status, parked events, verification)
     */
    public Projections projections() {
        return projections;
    }

    /** @return the command side: sends commands to their {@code @CommandHandler} (see {@link CommandGateway}) */
    public CommandGateway commands() {
        return commands;
    }

    /**
     * For framework-internal component kinds (command handlers, aggregates...): what the start-up scan
     * found. Not API.
     *
     * @return the scan result
     */
    ComponentScan scan() {
        return scan;
    }

    /**
     * Stops the projection runtime (each asynchronous runner finishes its batch and saves its checkpoint),
     * then closes the storage.
     */
    @Override
    public void close() {
        open = false;
        try {
            projections.close();
            storage.close();
        } finally {
            if (observer != null) {
                observer.closed();
            }
        }
    }

    /** @return whether it is open: built, and not closed yet */
    public boolean isOpen() {
        return open;
    }

    /** Configures a {@link Rewind}. Every method may be called several times; registrations add up. */
    public static final class Builder {
        /** The storage when nothing else is configured: the embedded file log. */
        public static final String DEFAULT_STORAGE = "file:rewind-data";
        private EventStorage storage;
        private String url;
        private Clock clock = Clock.systemUTC();
        private ClassLoader classLoader;
        private boolean discoverPlugins = true;
        private final List<RewindPlugin> plugins = new ArrayList<>();
        private JacksonEventSerializer serializer;
        private final Components components = new Components("Rewind.builder()", null);
        private SnapshotStorage snapshotStorage;
        private int snapshotEvery;
        private int commandAttempts = CommandConfig.DEFAULT_ATTEMPTS;
        private ProjectionStore projectionStore;
        private String instanceId;
        private Duration leaseDuration = Duration.ofSeconds(3);
        private ProjectionSettings projectionDefaults = ProjectionSettings.sync();
        private final Map<String, ProjectionSettings> projectionSettings = new LinkedHashMap<>();
        /** Null: the classes' own no-argument constructors, checked at start-up as before the SPI existed. */
        private InstanceFactory instanceFactory;
        private final List<RewindObserver> observers = new ArrayList<>();

        private Builder() {
        }

        /**
         * @param storage where events are kept (default: {@link #DEFAULT_STORAGE})
         * @return this
         */
        public Builder storage(EventStorage storage) {
            this.storage = Objects.requireNonNull(storage, "storage");
            this.url = null;
            return this;
        }

        /**
         * Chooses the storage by URL, opened by the {@link dev.rewind.spi.storage.StorageProvider} of its scheme:
         * {@code file:DIR} (the embedded file log), {@code memory:}, or {@code jdbc:postgresql://...?user=..&password=..}
         * with the {@code rewind-postgres} module on the class path. Rewind closes it when it is closed.
         *
         * @param url a storage URL
         * @return this
         */
        public Builder storage(String url) {
            this.url = Objects.requireNonNull(url, "url");
            this.storage = null;
            return this;
        }

        /**
         * The storage URL used when none was configured: the {@code rewind.storage} system property,
         * else the {@code REWIND_STORAGE} environment variable, else {@value #DEFAULT_STORAGE}: the
         * embedded, durable file log in {@code ./rewind-data}.
         */
        private String storageUrl() {
            if (url != null) {
                return url;
            }
            String configured = System.getProperty("rewind.storage", System.getenv("REWIND_STORAGE"));
            if (configured != null && !configured.isBlank()) {
                LOG.info("No storage configured in Rewind.builder(): using {} from rewind.storage / REWIND_STORAGE",
                        configured);
                return configured;
            }
            // a bare builder in a user's project would otherwise fill ./rewind-data unnoticed, run after run
            LOG.info("No storage configured: using the embedded file store in {} (events stay there between runs);"
                    + " choose another with Rewind.builder().storage(\"file:DIR\" or \"memory:\"), the system property"
                    + " rewind.storage or the environment variable REWIND_STORAGE",
                    java.nio.file.Path.of(DEFAULT_STORAGE.substring("file:".length())).toAbsolutePath().normalize());
            return DEFAULT_STORAGE;
        }

        /**
         * @param clock the clock that stamps {@code recordedAt} (default: the system UTC clock)
         * @return this
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param loader the class loader used to find plugins and services and to scan (default: the
         *     thread's context class loader)
         * @return this
         */
        public Builder classLoader(ClassLoader loader) {
            this.classLoader = Objects.requireNonNull(loader, "loader");
            return this;
        }

        /**
         * @param discover whether to load every {@link dev.rewind.spi.RewindPlugin} and
         *     {@link ParameterResolver} listed in {@code META-INF/services} (default: true)
         * @return this
         */
        public Builder discoverPlugins(boolean discover) {
            this.discoverPlugins = discover;
            return this;
        }

        /**
         * Registers a plugin the application creates itself, for example one that needs configuration
         * or lives in the application's own code. Its components follow the same rules as those of a
         * plugin found in {@code META-INF/services}: a projection name or event type also registered by
         * another plugin stops start-up naming both. Unlike a discovered plugin, one whose
         * {@link RewindPlugin#register} throws is not skipped: {@link #build()} fails naming it. A
         * discovered plugin of the same class as one given here is not registered a second time. Works
         * with {@link #discoverPlugins(boolean) discoverPlugins(false)}.
         *
         * @param plugin the plugin; its {@code register} is called at each {@link #build()}
         * @return this
         */
        public Builder plugin(RewindPlugin plugin) {
            plugins.add(Objects.requireNonNull(plugin, "plugin"));
            return this;
        }

        /**
         * Serialises event payloads with this Jackson mapper instead of
         * {@link JacksonEventSerializer#defaultMapper()}, for example to add a module for a value type
         * used inside events. Start from the default mapper to keep Rewind's stored form of
         * {@code java.time} values and numbers:
         * {@code JacksonEventSerializer.defaultMapper().registerModule(new MoneyModule())}.
         *
         * <p>The mapper is copied when this method is called, and the copy is configured as
         * {@link JacksonEventSerializer#JacksonEventSerializer(ObjectMapper)} says (binding is made strict:
         * unknown properties, missing record components and nulls for primitives are errors); the
         * application's mapper is never changed, and changes made to it afterwards do not reach Rewind.
         * The mapper decides the JSON written from now on; events already stored must still bind with it.
         * Aggregate snapshots are not affected (they have a mapper of their own).
         *
         * @param mapper a JSON mapper without default typing
         * @return this
         * @throws IllegalArgumentException when the mapper enables default typing (a stored class name
         *     would decide what is instantiated), does not write JSON, or cannot be copied
         */
        public Builder objectMapper(ObjectMapper mapper) {
            this.serializer = new JacksonEventSerializer(Objects.requireNonNull(mapper, "mapper"));
            return this;
        }

        /**
         * Scans these packages and their sub-packages, once, at {@link #build()}, for {@code @Event} records,
         * {@code @Projection}, {@code @Upcaster} and {@code @Aggregate} classes.
         *
         * @param packages package names, for example {@code "com.example.orders"}
         * @return this
         */
        public Builder scanPackages(String... packages) {
            components.scanPackages(packages);
            return this;
        }

        /**
         * @param types records annotated with {@link dev.rewind.annotation.Event}
         * @return this
         */
        public Builder eventTypes(Class<?>... types) {
            for (Class<?> t : types) {
                components.eventType(t);
            }
            return this;
        }

        /**
         * @param projectionClass a class annotated {@link dev.rewind.annotation.Projection}
         * @return this
         */
        public Builder projection(Class<?> projectionClass) {
            components.projection(projectionClass);
            return this;
        }

        /**
         * @param resolver an extra resolver for {@code @EventHandler} and {@code @EventSourcingHandler} parameters
         * @return this
         */
        public Builder parameterResolver(ParameterResolver resolver) {
            components.parameterResolver(resolver);
            return this;
        }

        /**
         * @param type the event type name
         * @param from the version the upcaster reads
         * @param upcaster turns version {@code from} into {@code from + 1}
         * @return this
         */
        public Builder upcaster(String type, int from, EventUpcaster upcaster) {
            components.upcaster(type, from, upcaster);
            return this;
        }

        /**
         * Reads stored events of a type name no class has any more as the registered type {@code newName}
         * (their schema versions and upcasters are those of {@code newName}).
         *
         * @param oldName the name found in stored data
         * @param newName a registered type name
         * @return this
         */
        public Builder rename(String oldName, String newName) {
            components.rename(oldName, newName);
            return this;
        }

        /**
         * Registers an aggregate (classes annotated {@link dev.rewind.annotation.Aggregate} in scanned
         * packages are registered without this).
         *
         * @param aggregateClass a class annotated {@link dev.rewind.annotation.Aggregate}
         * @return this
         */
        public Builder aggregate(Class<?> aggregateClass) {
            components.aggregate(aggregateClass);
            return this;
        }

        /**
         * Registers services whose {@code @CommandHandler(Command, Aggregate)} methods handle commands.
         *
         * @param services instances (built by the application, with their dependencies)
         * @return this
         * @throws IllegalArgumentException for a class given instead of an instance
         */
        public Builder commandHandlers(Object... services) {
            components.commandHandlers(services);
            return this;
        }

        /**
         * Creates the classes Rewind finds instead of their no-argument constructor: {@code @Projection}
         * classes (a fresh instance at start, at every rebuild, snapshot read and temporal query),
         * {@code @Upcaster} classes found by scanning, and command-handler services found by scanning that
         * were not registered as instances (without a factory, such a class stops start-up). A dependency
         * injection container plugs in here; the Spring Boot starter sets one that asks Spring's bean factory.
         * See {@link InstanceFactory} for what a factory must do.
         *
         * @param factory the factory (default: {@link InstanceFactory#noArgConstructor()}, which also leaves
         *     unregistered services an error)
         * @return this
         */
        public Builder instanceFactory(InstanceFactory factory) {
            Objects.requireNonNull(factory, "factory");
            this.instanceFactory = factory instanceof InstanceFactory.NoArgConstructor ? null : factory;
            return this;
        }

        /**
         * Adds an observer, for metrics: told of every append on the appending thread, and handed the
         * figures it reads when it wants them (events stored, each projection's position, lag, parked and
         * failed counts, the storage's own figures). The {@code rewind-micrometer} module's
         * {@code RewindMetrics} is one. Without any, appends are not timed at all.
         *
         * @param observer the observer; several are called in the order they were added
         * @return this
         */
        public Builder observer(RewindObserver observer) {
            observers.add(Objects.requireNonNull(observer, "observer"));
            return this;
        }

        /**
         * Keeps aggregate snapshots (default: none).
         *
         * @param storage where, for example {@code FileSnapshotStorage.in(dataDir)}
         * @param everyEvents write one when a command leaves a stream this many events past its last snapshot
         * @return this
         */
        public Builder snapshots(SnapshotStorage storage, int everyEvents) {
            new CommandConfig().snapshots(storage, everyEvents); // refuses a bad value at this call, not at build()
            this.snapshotStorage = storage;
            this.snapshotEvery = everyEvents;
            return this;
        }

        /**
         * @param maxAttempts how many times a command runs before a concurrency conflict is reported (default 3)
         * @return this
         */
        public Builder commandAttempts(int maxAttempts) {
            new CommandConfig().attempts(maxAttempts); // refuses a bad value at this call, not at build()
            this.commandAttempts = maxAttempts;
            return this;
        }

        /**
         * Registers event processors: instances of classes annotated
         * {@link dev.rewind.annotation.EventProcessor}, with their dependencies. They run asynchronously,
         * keep a checkpoint, and handle every event at least once.
         *
         * @param processors instances
         * @return this
         * @throws IllegalArgumentException for a class given instead of an instance, or an instance whose class
         *     is not annotated
         */
        public Builder eventProcessors(Object... processors) {
            components.eventProcessors(processors);
            return this;
        }

        /**
         * Where the projection runtime keeps checkpoints, snapshots and past states (default: the storage's
         * own when it has one, {@code projections/} under a file store's directory; else in memory).
         *
         * @param store the projection store
         * @return this
         */
        public Builder projectionStore(ProjectionStore store) {
            this.projectionStore = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * This instance's id among the instances sharing a store: the owner named on the leases of owned
         * projections and event processors, in {@code ProjectionStatus.owner()} and in the take-over logs.
         * It must be unique among running instances (two instances with one id take each other's leases).
         * Owned runners are spread over the live instances by a hash of this id and the runner's name
         * (docs/adr/0018-spreading-owned-runners.md), so a fixed id keeps an instance's share across restarts.
         * Default: {@code <hostname>-<pid>-<random>}, new at every start.
         *
         * @param id the id, not blank, at most 200 characters
         * @return this
         */
        public Builder instanceId(String id) {
            if (id == null || id.isBlank() || id.length() > 200) {
                throw new IllegalArgumentException("instanceId: must be 1 to 200 characters, not blank, was "
                        + (id == null ? "null" : "'" + id + "'"));
            }
            this.instanceId = id;
            return this;
        }

        /**
         * How long the lease of an owned projection or event processor lasts unless renewed (default 3 s, so
         * that a take-over after a crash stays within 5 s). The owner renews it every third of it; another
         * instance takes over at most about {@code lease * 4 / 3} after the owner died or stalled (4 s by default). An instance's membership, over which owned runners are spread,
         * expires on the same duration. Used only when the store offers leases (PostgreSQL); see
         * docs/adr/0015-projection-ownership.md and docs/adr/0018-spreading-owned-runners.md.
         *
         * @param lease between 100 ms and 10 minutes
         * @return this
         */
        public Builder leaseDuration(Duration lease) {
            Objects.requireNonNull(lease, "lease");
            if (lease.compareTo(Duration.ofMillis(100)) < 0 || lease.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("leaseDuration: must be between 100 ms and 10 minutes, was " + lease);
            }
            this.leaseDuration = lease;
            return this;
        }

        /**
         * How projections named in no {@link #projectionSettings(String, ProjectionSettings)} run (default:
         * {@link ProjectionSettings#sync()}: on the appending thread, no snapshots, stop at a failing event).
         *
         * @param settings the settings
         * @return this
         */
        public Builder projectionDefaults(ProjectionSettings settings) {
            this.projectionDefaults = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /**
         * How one projection, event processor or durable subscription runs, by name. Processors and
         * subscriptions named nowhere run asynchronously with a checkpoint every second or 1,000 events;
         * a name that matches no projection or processor applies to the subscription of that name.
         *
         * @param name a projection, processor or subscription name
         * @param settings the settings
         * @return this
         */
        public Builder projectionSettings(String name, ProjectionSettings settings) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("projectionSettings: the name must not be null or blank");
            }
            projectionSettings.put(name, Objects.requireNonNull(settings, "settings"));
            return this;
        }

        /**
         * A fresh command configuration per build, so that what plugins register at one
         * {@link #build()} is not kept by the builder for the next.
         */
        private CommandConfig commandConfig(Assembly assembly) {
            CommandConfig config = new CommandConfig();
            assembly.aggregates().forEach(config::aggregate);
            assembly.services().forEach(config::service);
            if (snapshotStorage != null) {
                config.snapshots(snapshotStorage, snapshotEvery);
            }
            config.attempts(commandAttempts);
            config.instanceFactory(instanceFactory);
            return config;
        }

        /**
         * Validates the configuration, builds, and catches every projection up with the stored events.
         *
         * @return the started Rewind
         * @throws IllegalStateException naming what is wrong and the fix
         */
        public Rewind build() {
            return new Rewind(this);
        }
    }
}
