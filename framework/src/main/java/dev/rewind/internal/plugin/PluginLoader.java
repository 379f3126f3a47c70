package dev.rewind.internal.plugin;

import dev.rewind.spi.ParameterResolver;
import dev.rewind.spi.RewindPlugin;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds {@link RewindPlugin}s and {@link ParameterResolver}s with {@link ServiceLoader}, once, at
 * start-up. Policy: every provider found is used; one that fails to load, or whose
 * {@code register} throws, is logged with its name and skipped (nothing it registered is kept).
 */
public final class PluginLoader {
    private static final Logger LOG = LoggerFactory.getLogger(PluginLoader.class);
    private static final int MAX_FAILURES = 100;

    private PluginLoader() {
    }

    /**
     * @param loader the class loader to search
     * @return one {@link Components} per plugin that loaded and registered without error
     */
    public static List<Components> plugins(ClassLoader loader) {
        List<Components> out = new ArrayList<>();
        for (RewindPlugin plugin : load(RewindPlugin.class, loader)) {
            String name;
            try {
                name = plugin.name();
            } catch (RuntimeException e) {
                name = plugin.getClass().getName();
            }
            Components c = new Components("plugin " + name, name);
            try {
                plugin.register(c);
            } catch (RuntimeException | LinkageError e) {
                LOG.error("RewindPlugin {} ({}) failed in register(Registrar) and is skipped: {}", name,
                        plugin.getClass().getName(), e.toString(), e);
                continue;
            }
            LOG.info("RewindPlugin {} registered {} event type(s), {} projection(s), {} upcaster(s), {} package(s) to scan",
                    name, c.eventTypes.size(), c.projections.size(), c.upcasters.size(), c.packages.size());
            out.add(c);
        }
        return out;
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
