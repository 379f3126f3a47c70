package dev.rewind.spring.boot;

import dev.rewind.annotation.Projection;
import dev.rewind.spi.InstanceFactory;
import java.util.Objects;
import org.springframework.beans.factory.config.AutowireCapableBeanFactory;

/**
 * Rewind's {@link InstanceFactory} on Spring's bean factory: what Rewind finds gets constructor
 * injection (and {@code @Autowired}, {@code @Value}, bean post-processing) like a bean.
 *
 * <p>A {@code @Projection} class is always created afresh ({@link AutowireCapableBeanFactory#createBean}),
 * never taken from the context, because Rewind asks again at every rebuild, snapshot read and temporal
 * query and each instance holds its own state: it behaves as a prototype, whatever its annotations say.
 * An upcaster or a command-handler service that the application also declares as a bean (one of its
 * type) is that bean; otherwise it is created the same way.
 *
 * <p>A projection must not depend on Rewind's own beans ({@code Rewind}, {@code EventStore},
 * {@code Projections}, {@code CommandGateway}): they are being built when it is created.
 */
public final class SpringInstanceFactory implements InstanceFactory {
    private final AutowireCapableBeanFactory beanFactory;

    /** @param beanFactory the application's bean factory */
    public SpringInstanceFactory(AutowireCapableBeanFactory beanFactory) {
        this.beanFactory = Objects.requireNonNull(beanFactory, "beanFactory");
    }

    @Override
    public <T> T create(Class<T> type) {
        if (!type.isAnnotationPresent(Projection.class)) {
            T bean = beanFactory.getBeanProvider(type).getIfUnique();
            if (bean != null) {
                return bean;
            }
        }
        return beanFactory.createBean(type);
    }

    @Override
    public String toString() {
        return "Spring's bean factory";
    }
}
