package dev.rewind.dispatch;

import dev.rewind.StoredEvent;
import dev.rewind.spi.ParameterResolver;
import java.lang.reflect.Parameter;
import java.util.function.Function;

/** Listed in {@code META-INF/services/dev.rewind.spi.ParameterResolver} of the test class path. */
public final class TenantResolver implements ParameterResolver {
    @Override
    public Function<StoredEvent<?>, Object> resolve(Parameter parameter) {
        return parameter.getType() == DispatchTest.Tenant.class
                ? e -> new DispatchTest.Tenant(e.metadata().values().getOrDefault("tenant", "none")) : null;
    }
}
