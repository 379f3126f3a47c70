package dev.rewind.internal.plugin;

import dev.rewind.spi.ParameterResolver;
import dev.rewind.spi.RewindPlugin;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds {@link RewindPlugin}s and {@link ParameterResolver}s with {@link ServiceLoader}, once, at
 * start-up, and registers the plugins the application names. Policy: every provider found is used; one
 * that fails to load, or whose {@code register} throws, is logged with its name and skipped (nothing it
 * registered is kept). A plugin the application names is never skipped: its failure stops start-up.
 */
public final class PluginLoader {
    private static final Logger LOG = LoggerFactory.getLogger(PluginLoader.class);
    private static final int MAX_FAILURES = 100;

    private PluginLoader() {
    }

    /**
     * Registers the plugins found by {@link ServiceLoader}, except those of a class the application
     * registered itself: its instance is the one that counts, and registering twice would be a conflict.
     *
     * @param loader the class loader to search
     * @param explicit the classes of the plugins given to {@code Rewind.builder().plugin(...)}
     * @return one {@link Components} per plugin that loaded and registered without error
     */
    static List<Components> plugins(ClassLoader loader, Set<Class<?>> explicit) {
        List<Components> out = new ArrayList<>();
        for (RewindPlugin plugin : load(RewindPlugin.class, loader)) {
            String name = name(plugin);
            if (explicit.contains(plugin.getClass())) {
                LOG.info("RewindPlugin {} ({}) is listed in META-INF/services and given to Rewind.builder().plugin(...):"
                        + " the builder's instance is used", name, plugin.getClass().getName());
                continue;
            }
            Components c = new Components("plugin " + name, name);
            try {
                plugin.register(c);
            } catch (RuntimeException | LinkageError e) {
                LOG.error("RewindPlugin {} ({}) failed in register(Registrar) and is skipped: {}", name,
                        plugin.getClass().getName(), e.toString(), e);
                continue;
            }
            logRegistered(name, c);
            out.add(c);
        }
        return out;
    }

    /**
     * Registers a plugin the application named. Unlike a discovered one, it is not skipped when it fails:
     * the application asked for it, and would otherwise run without a part it chose.
     *
     * @param plugin a plugin given to {@code Rewind.builder().plugin(...)}
     * @return what it registered
     * @throws IllegalStateException naming the plugin when its {@code register} throws
     */
    static Components registerExplicit(RewindPlugin plugin) {
        String name = name(plugin);
        Components c = new Components("plugin " + name, name);
        try {
            plugin.register(c);
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalStateException("RewindPlugin " + name + " (" + plugin.getClass().getName()
                    + "), given to Rewind.builder().plugin(...), failed in register(Registrar): " + e, e);
        }
        logRegistered(name, c);
        return c;
    }

    private static String name(RewindPlugin plugin) {
        try {
            return plugin.name();
        } catch (RuntimeException e) {
            return plugin.getClass().getName();
        }
    }

    private static void logRegistered(String name, Components c) {
        LOG.info("RewindPlugin {} registered {} event type(s), {} projection(s), {} upcaster(s), {} aggregate(s),"
                        + " {} command handler service(s), {} package(s) to scan", name, c.eventTypes.size(),
                c.projections.size(), c.upcasters.size(), c.aggregates.size(), c.services.size(), c.packages.size());
    }

    /**
     * @param loader the class loader to search
     * @return the parameter resolvers listed in {@code META-INF/services/dev.rewind.spi.ParameterResolver}
     */
    public static List<ParameterResolver> parameterResolvers(ClassLoader loader) {
        return load(ParameterResolver.class, loader);
    }

    private static <T> List<T> load(Class<T> service, ClassLoader loader) {
        List<T> out = new ArrayList<>();
        Iterator<T> it = ServiceLoader.load(service, loader).iterator();
        int failures = 0;
        while (failures < MAX_FAILURES) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                out.add(it.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                failures++;
                LOG.error("a {} failed to load and is skipped: {}", service.getSimpleName(), e.getMessage(), e);
            }
        }
        return out;
    }
}
