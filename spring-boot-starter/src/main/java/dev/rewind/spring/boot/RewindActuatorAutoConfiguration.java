package dev.rewind.spring.boot;

import dev.rewind.Rewind;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Actuator support, each part only when its classes are on the class path: the {@code rewind} health
 * indicator ({@link RewindHealthIndicator}; {@code management.health.rewind.enabled=false} turns it off)
 * and the {@code rewindprojections} endpoint ({@link RewindProjectionsEndpoint}).
 */
@AutoConfiguration(after = RewindAutoConfiguration.class)
@ConditionalOnClass(Rewind.class)
public class RewindActuatorAutoConfiguration {

    /** Created by Spring from the auto-configuration imports. */
    public RewindActuatorAutoConfiguration() {
    }

    /** The health indicator, with Spring Boot's health support. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnBean(Rewind.class)
    @ConditionalOnEnabledHealthIndicator("rewind")
    static class HealthConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "rewindHealthIndicator")
        RewindHealthIndicator rewindHealthIndicator(Rewind rewind, RewindProperties properties) {
            return new RewindHealthIndicator(rewind, properties.getHealth().getMaxLagEvents());
        }
    }

    /** The endpoint, with Spring Boot's actuator. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(Endpoint.class)
    @ConditionalOnBean(Rewind.class)
    static class EndpointConfiguration {
        @Bean
        @ConditionalOnMissingBean
        RewindProjectionsEndpoint rewindProjectionsEndpoint(Rewind rewind) {
            return new RewindProjectionsEndpoint(rewind);
        }
    }
}
