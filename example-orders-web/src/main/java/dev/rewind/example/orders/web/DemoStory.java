package dev.rewind.example.orders.web;

import dev.rewind.Rewind;
import dev.rewind.example.orders.demo.OrdersDemo;
import dev.rewind.serialization.JacksonEventSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * With {@code orders.demo=true}: plays the command-line demo's story (two orders, eight commands at
 * their scripted instants of 2024-05-01) into an empty store at start-up. It runs once every bean
 * exists and before the server accepts a request, so no request sees half a story; a store that
 * already holds events is left alone (the story was played by an earlier run, or it is someone's data).
 */
public final class DemoStory implements SmartInitializingSingleton {
    private static final Logger LOG = LoggerFactory.getLogger(DemoStory.class);
    private final Rewind rewind;
    private final StoryClock clock;

    /**
     * @param rewind the application's Rewind, whose store is stamped by {@code clock}
     * @param clock the store's clock
     */
    public DemoStory(Rewind rewind, StoryClock clock) {
        this.rewind = rewind;
        this.clock = clock;
    }

    @Override
    public void afterSingletonsInstantiated() {
        long stored = rewind.store().nextPosition();
        if (stored != 0) {
            LOG.info("orders.demo=true: the store already holds {} events, the demo story is not played again", stored);
            return;
        }
        // OrdersDemo also describes the result as JSON (with Rewind's mapper, which knows java.time);
        // only the events matter here.
        clock.play(script -> OrdersDemo.run(rewind, script, JacksonEventSerializer.defaultMapper()));
        LOG.info("orders.demo=true: played the demo story, {} events", rewind.store().nextPosition());
    }
}
