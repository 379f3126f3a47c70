package dev.rewind.spring.boot.plugin;

import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;

/** Counts every event: registered only by {@link SamplePlugin}, which is found in META-INF/services. */
@Projection("plugin_event_count")
public class PluginProjection {
    private long count;

    @EventHandler
    void on(Object event) {
        count++;
    }

    @QueryState
    public long count() {
        return count;
    }
}
