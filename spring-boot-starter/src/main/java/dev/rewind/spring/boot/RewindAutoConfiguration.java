package dev.rewind.spring.boot;

import dev.rewind.EventStore;
import dev.rewind.Projections;
import dev.rewind.Rewind;
import dev.rewind.command.CommandGateway;
import dev.rewind.spi.RewindObserver;
import dev.rewind.spi.storage.EventStorage;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.AutowireCapableBeanFactory;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Builds one {@link Rewind} from the {@code rewind.*} properties and exposes it with its
 * {@link EventStore}, {@link Projections} and {@link CommandGateway} as beans. The context closes it on
 * shutdown (its {@code close()}), which closes its storage: a file store's lock is released, a
 * PostgreSQL pool shut down.
 *
 * <p>{@code @Projection} classes, scanned {@code @Upcaster} classes and command-handler services are
 * created by Spring ({@link SpringInstanceFactory}), with constructor injection; the
 * {@code rewind.projections.*} properties set how projections run.
 *
 * <p>What the application defines wins: its own {@link Rewind} bean replaces this one entirely (the
 * three beans above are then that Rewind's), and its own {@link EventStorage} bean is used instead of
 * the {@code rewind.storage} URL. A start-up mistake (an unknown storage scheme, a handler with a wrong
 * signature, two projections of one name) fails the context with the framework's message.
 */
@AutoConfiguration
@ConditionalOnClass(Rewind.class)
@EnableConfigurationProperties(RewindProperties.class)
public class RewindAutoConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(RewindAutoConfiguration.class);

    /** Created by Spring from the auto-configuration imports. */
    public RewindAutoConfiguration() {
    }

    /**
     * The application's Rewind, unless it defines one itself.
     *
     * @param properties the {@code rewind.*} properties
     * @param storage the application's own storage bean, if it defines one
     * @param customizers the application's {@link RewindBuilderCustomizer}s, in order
     * @param observers the observers to give the builder (the Micrometer binding, when it is configured)
     * @param beanFactory where the application's package is recorded, and what creates projections,
     *     upcasters and command-handler services with constructor injection
     * @return the started Rewind, its projections caught up with the stored events
     */
    @Bean
    @ConditionalOnMissingBean
    public Rewind rewind(RewindProperties properties, ObjectProvider<EventStorage> storage,
                         ObjectProvider<RewindBuilderCustomizer> customizers, ObjectProvider<RewindObserver> observers,
                         BeanFactory beanFactory) {
        Rewind.Builder builder = Rewind.builder()
                .discoverPlugins(properties.isDiscoverPlugins())
                .commandAttempts(properties.getCommandAttempts());
        // The class loader that loaded the application, also inside a Spring Boot jar, for scanning and
        // for plugins; the framework would otherwise take the thread's, which a server may have changed.
        ClassLoader loader = beanFactory instanceof ConfigurableBeanFactory c ? c.getBeanClassLoader() : null;
        if (loader != null) {
            builder.classLoader(loader);
        }

        EventStorage own = storage.getIfAvailable(); // two storage beans: an error naming both, not a guess
        if (own != null) {
            if (properties.getStorage() != null) {
                LOG.warn("rewind.storage={} is ignored: the application defines its own EventStorage bean ({})",
                        properties.getStorage(), own.getClass().getName());
            }
            builder.storage(own);
        } else if (properties.getStorage() != null && !properties.getStorage().isBlank()) {
            builder.storage(properties.getStorage());
        } // else the framework's default, which it logs: file:rewind-data

        List<String> packages = scanPackages(properties, beanFactory);
        if (packages.isEmpty()) {
            LOG.info("Rewind scans no package: set rewind.scan-packages, or start the application from a"
                    + " @SpringBootApplication class, whose package is scanned by default");
        } else {
            builder.scanPackages(packages.toArray(String[]::new));
        }

        RunnerProperties runners = properties.getProjections();
        builder.projectionDefaults(runners.resolveDefaults());
        runners.getNamed().forEach((name, settings) -> builder.projectionSettings(name, runners.resolve(settings)));
        if (beanFactory instanceof AutowireCapableBeanFactory autowiring) {
            builder.instanceFactory(new SpringInstanceFactory(autowiring));
        }
        observers.orderedStream().forEach(builder::observer);

        customizers.orderedStream().forEach(c -> c.customize(builder));
        return builder.build();
    }

    /** The configured packages, else the application's (recorded by {@code @SpringBootApplication}). */
    static List<String> scanPackages(RewindProperties properties, BeanFactory beanFactory) {
        List<String> configured = properties.getScanPackages().stream().filter(p -> !p.isBlank()).toList();
        if (!configured.isEmpty()) {
            return configured;
        }
        return AutoConfigurationPackages.has(beanFactory) ? AutoConfigurationPackages.get(beanFactory) : List.of();
    }

    // The three beans below belong to the Rewind bean, which closes them: destroyMethod = "" keeps Spring
    // from calling a close() it would otherwise infer on their implementations.

    /**
     * @param rewind the application's Rewind
     * @return its event store
     */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    public EventStore rewindEventStore(Rewind rewind) {
        return rewind.store();
    }

    /**
     * @param rewind the application's Rewind
     * @return its projections
     */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    public Projections rewindProjections(Rewind rewind) {
        return rewind.projections();
    }

    /**
     * @param rewind the application's Rewind
     * @return its command gateway
     */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    public CommandGateway rewindCommandGateway(Rewind rewind) {
        return rewind.commands();
    }
}
