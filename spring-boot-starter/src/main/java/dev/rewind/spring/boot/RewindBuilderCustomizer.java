package dev.rewind.spring.boot;

import dev.rewind.Rewind;

/**
 * Changes the {@link Rewind.Builder} the auto-configuration fills from the {@code rewind.*} properties,
 * just before it builds: declare one as a bean to set what no property covers, such as a
 * {@link java.time.Clock}, a Jackson mapper, snapshots or a plugin that needs the application's
 * objects.
 *
 * <pre>{@code
 * @Bean
 * RewindBuilderCustomizer auditPlugin(AuditSettings settings) {
 *     return builder -> builder.plugin(new AuditPlugin(settings));
 * }
 * }</pre>
 *
 * <p>Customizers run in {@link org.springframework.core.Ordered} / {@code @Order} order, after the
 * properties are applied, so a customizer can override a property. They are ignored when the
 * application defines its own {@link Rewind} bean.
 */
@FunctionalInterface
public interface RewindBuilderCustomizer {

    /**
     * @param builder the builder, already configured from the {@code rewind.*} properties
     */
    void customize(Rewind.Builder builder);
}
