package dev.rewind.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.UnknownEventTypeException;
import dev.rewind.annotation.Event;
import dev.rewind.spi.EventUpcaster;
import org.junit.jupiter.api.Test;

/** The closed type registry: what it accepts, and the start-up errors it gives, word for word. */
class EventTypeRegistryTest {
    private static final String T = EventTypeRegistryTest.class.getName() + "$";
    private static final EventUpcaster STEP = json -> json;

    @Event(name = "Opened", version = 1)
    record Opened(String id) {
    }

    @Event(name = "Opened", version = 1)
    record OpenedAgain(String id) {
    }

    @Event(name = "Priced", version = 3)
    record Priced(String id, long cents, String currency) {
    }

    record NotAnnotated(String id) {
    }

    @Event(name = "NotARecord")
    static final class NotARecord {
    }

    @Event(name = " ")
    record BlankName(String id) {
    }

    @Event(name = "Zero", version = 0)
    record VersionZero(String id) {
    }

    @Test
    void registered_types_are_found_by_name_and_by_class() {
        EventTypeRegistry registry = EventTypeRegistry.builder().type(Opened.class, "test").type(Priced.class, "test")
                .upcaster("Priced", 1, STEP, "P1").upcaster("Priced", 2, STEP, "P2").build();

        assertThat(registry.byStoredName("Opened").javaClass()).isEqualTo(Opened.class);
        assertThat(registry.byStoredName("Priced").version()).isEqualTo(3);
        assertThat(registry.byStoredName("Priced").steps()).containsExactly(null, STEP, STEP);
        assertThat(registry.byClass(Priced.class).name()).isEqualTo("Priced");
        assertThat(registry.byStoredName("Nope")).isNull();
        assertThat(registry.types()).containsOnlyKeys(Opened.class, Priced.class);
        assertThat(registry.isEmpty()).isFalse();
        assertThat(EventTypeRegistry.builder().build().isEmpty()).isTrue();
    }

    @Test
    void the_same_class_registered_twice_is_one_type() {
        EventTypeRegistry registry = EventTypeRegistry.builder().type(Opened.class, "scan").type(Opened.class, "plugin").build();
        assertThat(registry.types()).containsOnlyKeys(Opened.class);
    }

    @Test
    void an_unregistered_payload_class_is_an_unknown_event_type_naming_the_class() {
        EventTypeRegistry registry = EventTypeRegistry.builder().type(Opened.class, "test").build();
        assertThatThrownBy(() -> registry.byClass(NotAnnotated.class))
                .isInstanceOf(UnknownEventTypeException.class)
                .hasMessage("unknown event type '" + T + "NotAnnotated' (a payload class that is not a registered event type;"
                        + " annotate it with @Event and register or scan it): register a record annotated @Event(name = \""
                        + T + "NotAnnotated\")");
    }

    @Test
    void two_classes_with_one_name_are_rejected_naming_both_and_where_they_came_from() {
        assertThatThrownBy(() -> EventTypeRegistry.builder().type(Opened.class, "scan of com.example")
                .type(OpenedAgain.class, "plugin acme"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("event type 'Opened' is registered twice: " + T + "Opened (from scan of com.example) and "
                        + T + "OpenedAgain (from plugin acme)");
    }

    @Test
    void a_class_without_at_event_is_rejected_with_the_fix() {
        assertThatThrownBy(() -> EventTypeRegistry.builder().type(NotAnnotated.class, "test"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("@Event is missing on " + T + "NotAnnotated: annotate the record with @Event(name = \"...\", version = n)");
    }

    @Test
    void a_class_that_is_not_a_record_is_rejected() {
        assertThatThrownBy(() -> EventTypeRegistry.builder().type(NotARecord.class, "test"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("@Event " + T + "NotARecord is not a record: declare event types as Java records");
    }

    @Test
    void a_blank_name_or_a_version_below_1_is_rejected() {
        assertThatThrownBy(() -> EventTypeRegistry.builder().type(BlankName.class, "test"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("@Event on " + T + "BlankName has a blank name");
        assertThatThrownBy(() -> EventTypeRegistry.builder().type(VersionZero.class, "test"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("@Event on " + T + "VersionZero has version 0: versions start at 1");
    }

    @Test
    void a_gap_in_the_upcaster_chain_fails_naming_the_type_and_the_missing_step() {
        EventTypeRegistry.Builder builder = EventTypeRegistry.builder().type(Priced.class, "test").upcaster("Priced", 2, STEP, "P2");
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("no upcaster from Priced v1 to v2: the chain for Priced must cover every step from v1 to the current v3"
                        + " (add an @Upcaster(type = \"Priced\", from = 1))");
    }

    @Test
    void a_type_with_no_upcaster_at_all_is_valid_and_reads_only_its_current_version() {
        EventTypeRegistry registry = EventTypeRegistry.builder().type(Priced.class, "test").build();
        assertThat(registry.byStoredName("Priced").steps()).containsOnlyNulls();
    }

    @Test
    void two_upcasters_for_one_step_fail_naming_both() {
        EventTypeRegistry.Builder builder = EventTypeRegistry.builder().type(Priced.class, "test")
                .upcaster("Priced", 1, STEP, "com.example.A").upcaster("Priced", 1, STEP, "com.example.B")
                .upcaster("Priced", 2, STEP, "com.example.C");
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("two upcasters for Priced v1 to v2: com.example.A and com.example.B (keep exactly one per step)");
    }

    @Test
    void an_upcaster_outside_the_types_versions_fails_naming_the_allowed_range() {
        EventTypeRegistry.Builder builder = EventTypeRegistry.builder().type(Priced.class, "test").upcaster("Priced", 3, STEP, "com.example.Up");
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("upcaster com.example.Up upcasts Priced from v3 to v4, but the current version of Priced is v3 ("
                        + T + "Priced): an upcaster's 'from' must be between 1 and 2");
        EventTypeRegistry.Builder zero = EventTypeRegistry.builder().type(Priced.class, "test").upcaster("Priced", 0, STEP, "com.example.Up");
        assertThatThrownBy(zero::build).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("upcaster com.example.Up upcasts Priced from v0 to v1");
    }

    @Test
    void an_upcaster_for_an_unregistered_type_fails() {
        EventTypeRegistry.Builder builder = EventTypeRegistry.builder().type(Opened.class, "test").upcaster("Closed", 1, STEP, "com.example.Up");
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("upcaster com.example.Up is for type 'Closed', which is not a registered event type (register the"
                        + " record annotated @Event(name = \"Closed\"), or name the type it was renamed to)");
    }

    @Test
    void a_renamed_stored_name_reads_as_its_new_type() {
        EventTypeRegistry registry = EventTypeRegistry.builder().type(Opened.class, "test").rename("AccountOpened", "Opened", "r").build();
        assertThat(registry.byStoredName("AccountOpened")).isSameAs(registry.byStoredName("Opened"));
    }

    @Test
    void a_rename_must_end_at_a_registered_type_and_may_not_hide_one() {
        assertThatThrownBy(() -> EventTypeRegistry.builder().type(Opened.class, "test").rename("Old", "Missing", "plugin x").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("rename of stored type 'Old' to 'Missing' (from plugin x) does not end at a registered event type");
        assertThatThrownBy(() -> EventTypeRegistry.builder().type(Opened.class, "test").type(Priced.class, "test")
                .rename("Opened", "Priced", "plugin x").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("rename of stored type 'Opened' to 'Priced' (from plugin x): 'Opened' is itself a registered type;"
                        + " a rename must map an old name that no type has any more");
        assertThatThrownBy(() -> EventTypeRegistry.builder().rename("Old", "A", "p1").rename("Old", "B", "p2"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("stored type name 'Old' is renamed twice: to 'A' (from p1) and to 'B' (from p2)");
    }
}
