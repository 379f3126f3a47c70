package dev.rewind.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.RawEvent;
import dev.rewind.Rewind;
import dev.rewind.annotation.Event;
import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.Upcaster;
import dev.rewind.internal.scan.ComponentScan;
import dev.rewind.scan.app.Greeted;
import dev.rewind.scan.app.Waved;
import dev.rewind.scan.app.upcasting.GreetedV1ToV2;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Scanning finds events, projections and upcasters with no registration code. */
class ScanTest {

    @Test
    void scanning_a_package_registers_its_events_projections_and_upcasters() {
        try (Rewind rewind = Rewind.builder().discoverPlugins(false).scanPackages("dev.rewind.scan.app").build()) {
            rewind.store().append("g", ExpectedVersion.noStream(), List.of(new Greeted("ann"), new Waved("bob")));
            rewind.store().appendRaw("g", ExpectedVersion.exactly(1), List.of(new RawEvent(UUID.randomUUID(), "Greeted", 1,
                    "{\"who\":\"old\"}".getBytes(StandardCharsets.UTF_8), Metadata.EMPTY)));

            assertThat(rewind.projections().names()).containsExactly("greetings");
            assertThat(rewind.projections().<List<String>>state("greetings"))
                    .containsExactly("hello ann", "wave bob", "hello old");
        }
    }

    @Test
    void the_scan_result_answers_for_any_annotation() {
        ComponentScan scan = ComponentScan.scan(getClass().getClassLoader(), List.of("dev.rewind.scan.app"));

        assertThat(scan.classesWithAnnotation(Event.class)).containsExactly(Greeted.class, Waved.class);
        assertThat(scan.classesWithAnnotation(Projection.class)).extracting(Class::getSimpleName)
                .containsExactly("GreetingsProjection");
        assertThat(scan.classesWithAnnotation(Upcaster.class)).containsExactly(GreetedV1ToV2.class);
        assertThat(scan.classesWithMethodAnnotation(EventHandler.class)).extracting(Class::getSimpleName)
                .containsExactly("GreetingsProjection");
        assertThat(scan.classesWithAnnotation(Deprecated.class)).isEmpty();
    }

    @Test
    void a_package_with_no_component_changes_nothing() {
        try (Rewind rewind = Rewind.builder().discoverPlugins(false).scanPackages("dev.rewind.nothing.here").build()) {
            assertThat(rewind.projections().names()).isEmpty();
        }
    }

    @Test
    void an_upcaster_class_that_does_not_implement_event_upcaster_stops_start_up() {
        assertThatThrownBy(() -> Rewind.builder().discoverPlugins(false).scanPackages("dev.rewind.scan.bad").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("@Upcaster class dev.rewind.scan.bad.NotAnUpcaster does not implement"
                        + " dev.rewind.spi.EventUpcaster: implement its upcast(ObjectNode) method");
    }

    @Test
    void a_blank_package_name_is_rejected() {
        assertThatThrownBy(() -> Rewind.builder().scanPackages(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("scanPackages: a package name is null or blank (from Rewind.builder())");
    }
}
