package dev.rewind.spring.boot.plugin;

import dev.rewind.spi.Registrar;
import dev.rewind.spi.RewindPlugin;

/** A plugin on the class path (listed in META-INF/services): loaded unless rewind.discover-plugins=false. */
public class SamplePlugin implements RewindPlugin {
    @Override
    public void register(Registrar registrar) {
        registrar.projection(PluginProjection.class);
    }
}
