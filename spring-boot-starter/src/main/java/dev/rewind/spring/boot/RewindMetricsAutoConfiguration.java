package dev.rewind.spring.boot;

import dev.rewind.micrometer.RewindMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Rewind's Micrometer metrics, when Micrometer and {@code rewind-micrometer} are on the class path: a
 * {@link RewindMetrics} bean, which the auto-configured Rewind takes as its observer and which Spring
 * Boot's metrics support binds, as any {@code MeterBinder} bean, to the application's registry.
 *
 * <p>An application that defines its own {@code Rewind} bean passes this bean to its builder itself
 * ({@code .observer(metrics)}).
 */
@AutoConfiguration(before = RewindAutoConfiguration.class)
@ConditionalOnClass({MeterRegistry.class, RewindMetrics.class})
public class RewindMetricsAutoConfiguration {

    /** Created by Spring from the auto-configuration imports. */
    public RewindMetricsAutoConfiguration() {
    }

    /**
     * @return the binding of Rewind's observer to the application's meter registries
     */
    @Bean
    @ConditionalOnMissingBean
    public RewindMetrics rewindMetrics() {
        return new RewindMetrics();
    }
}
