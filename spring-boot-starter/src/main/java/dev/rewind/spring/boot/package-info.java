/**
 * Rewind on Spring Boot: {@link dev.rewind.spring.boot.RewindAutoConfiguration} builds one
 * {@link dev.rewind.Rewind} from the {@code rewind.*} properties ({@link dev.rewind.spring.boot.RewindProperties},
 * {@link dev.rewind.spring.boot.RunnerProperties} for how projections run) and exposes it, its
 * {@link dev.rewind.EventStore}, its {@link dev.rewind.Projections} and its
 * {@link dev.rewind.command.CommandGateway} as beans; projections, upcasters and command-handler services
 * are created by Spring ({@link dev.rewind.spring.boot.SpringInstanceFactory});
 * {@link dev.rewind.spring.boot.RewindBuilderCustomizer} beans change the builder where no property
 * reaches. With Micrometer, {@link dev.rewind.spring.boot.RewindMetricsAutoConfiguration} reports Rewind's
 * figures; with Actuator, {@link dev.rewind.spring.boot.RewindActuatorAutoConfiguration} adds the
 * {@code rewind} health indicator and the {@code rewindprojections} endpoint.
 */
package dev.rewind.spring.boot;
