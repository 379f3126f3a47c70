package dev.rewind.spring.boot;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * The {@code rewind.*} properties: where events are kept, what is scanned, whether plugins are
 * discovered. Each one has the meaning of the {@link dev.rewind.Rewind.Builder} method it feeds.
 *
 * <p>The field comments are what an IDE shows while completing a property: the configuration
 * processor copies them into {@code META-INF/spring-configuration-metadata.json}.
 */
@ConfigurationProperties(prefix = "rewind")
public class RewindProperties {

    /**
     * Where events are kept, as a storage URL: file:DIR (the embedded file log), memory: (gone at
     * exit), or jdbc:postgresql://host/db?user=..&password=.. (with rewind-postgres on the class path).
     * Unset: the framework's default, the file log in ./rewind-data. Ignored when the application
     * defines its own EventStorage bean.
     */
    private String storage;

    /**
     * Packages scanned, with their sub-packages, for event records (annotated @Event), projections
     * (@Projection), upcasters (@Upcaster) and aggregates (@Aggregate). Unset: the application's
     * package, the one of its @SpringBootApplication class.
     */
    private List<String> scanPackages = new ArrayList<>();

    /**
     * Whether every RewindPlugin and ParameterResolver listed in META-INF/services on the class path
     * is loaded.
     */
    private boolean discoverPlugins = true;

    /**
     * How many times a command runs before a concurrency conflict is reported to its sender.
     */
    private int commandAttempts = 3;

    /**
     * How projections run: the defaults for every projection (rewind.projections.defaults.*),
     * and settings by projection name (rewind.projections.named.NAME.mode and the others).
     */
    @NestedConfigurationProperty
    private final RunnerProperties projections = new RunnerProperties();

    /** The Actuator health indicator named rewind. */
    private final Health health = new Health();

    /** @return the storage URL, or null for the framework's default */
    public String getStorage() {
        return storage;
    }

    /** @param storage a storage URL, or null for the framework's default */
    public void setStorage(String storage) {
        this.storage = storage;
    }

    /** @return the packages to scan; empty for the application's package */
    public List<String> getScanPackages() {
        return scanPackages;
    }

    /** @param scanPackages the packages to scan; empty for the application's package */
    public void setScanPackages(List<String> scanPackages) {
        this.scanPackages = scanPackages == null ? new ArrayList<>() : new ArrayList<>(scanPackages);
    }

    /** @return whether plugins listed in {@code META-INF/services} are loaded */
    public boolean isDiscoverPlugins() {
        return discoverPlugins;
    }

    /** @param discoverPlugins whether plugins listed in {@code META-INF/services} are loaded */
    public void setDiscoverPlugins(boolean discoverPlugins) {
        this.discoverPlugins = discoverPlugins;
    }

    /** @return how many times a command runs before a concurrency conflict is reported */
    public int getCommandAttempts() {
        return commandAttempts;
    }

    /** @param commandAttempts how many times a command runs before a concurrency conflict is reported, 1 or more */
    public void setCommandAttempts(int commandAttempts) {
        this.commandAttempts = commandAttempts;
    }

    /** @return the projection settings: defaults, and by name under {@code named} */
    public RunnerProperties getProjections() {
        return projections;
    }

    /** @return the health indicator's settings */
    public Health getHealth() {
        return health;
    }

    /**
     * The {@code rewind.health.*} properties.
     */
    public static class Health {
        /**
         * A projection, processor or subscription further behind the store than this many events makes the
         * rewind health indicator OUT_OF_SERVICE (a failed one makes it DOWN).
         */
        private long maxLagEvents = 10_000;

        /** @return the lag, in events, above which the indicator is OUT_OF_SERVICE */
        public long getMaxLagEvents() {
            return maxLagEvents;
        }

        /** @param maxLagEvents the lag, in events, above which the indicator is OUT_OF_SERVICE, 0 or more */
        public void setMaxLagEvents(long maxLagEvents) {
            if (maxLagEvents < 0) {
                throw new IllegalArgumentException("rewind.health.max-lag-events must be 0 or more, was " + maxLagEvents);
            }
            this.maxLagEvents = maxLagEvents;
        }
    }
}
