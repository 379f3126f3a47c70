package dev.rewind.example.orders.web;

import dev.rewind.Rewind;
import dev.rewind.spring.boot.RewindBuilderCustomizer;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The app's beans beside what the starter configures: the store's clock and the demo story. */
@Configuration(proxyBeanMethods = false)
public class OrdersWebConfig {

    /** Spring creates it. */
    public OrdersWebConfig() {
    }

    /** @return the clock the store stamps events with */
    @Bean
    public StoryClock storyClock() {
        return new StoryClock(Clock.systemUTC());
    }

    /**
     * The starter builds Rewind from {@code rewind.*}; the clock is the one thing this app adds.
     *
     * @param clock the story clock
     * @return a customizer giving the store that clock
     */
    @Bean
    public RewindBuilderCustomizer storyClockForTheStore(StoryClock clock) {
        return builder -> builder.clock(clock);
    }

    /**
     * @param rewind the application's Rewind
     * @param clock its store's clock
     * @return the demo story, played at start-up into an empty store
     */
    @Bean
    @ConditionalOnBooleanProperty("orders.demo")
    public DemoStory demoStory(Rewind rewind, StoryClock clock) {
        return new DemoStory(rewind, clock);
    }
}
