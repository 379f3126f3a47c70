/**
 * Rewind on Spring Boot: {@link dev.rewind.spring.boot.RewindAutoConfiguration} builds one
 * {@link dev.rewind.Rewind} from the {@code rewind.*} properties ({@link dev.rewind.spring.boot.RewindProperties})
 * and exposes it, its {@link dev.rewind.EventStore}, its {@link dev.rewind.Projections} and its
 * {@link dev.rewind.command.CommandGateway} as beans; {@link dev.rewind.spring.boot.RewindBuilderCustomizer}
 * beans change the builder where no property reaches.
 */
package dev.rewind.spring.boot;
