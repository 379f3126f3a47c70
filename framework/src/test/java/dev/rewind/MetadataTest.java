package dev.rewind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetadataTest {

    @Test
    void values_are_copied_sorted_and_unmodifiable() {
        Map<String, String> source = new HashMap<>(Map.of("user", "ann", "tenant", "t-1"));
        Metadata metadata = new Metadata("corr", "cause", source);
        source.put("user", "mallory");

        assertThat(metadata.values()).containsExactly(Map.entry("tenant", "t-1"), Map.entry("user", "ann"));
        assertThatThrownBy(() -> metadata.values().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> metadata.values().remove("user")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> metadata.values().entrySet().iterator().next().setValue("z"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void null_values_mean_none_but_a_null_key_or_value_inside_is_rejected() {
        assertThat(new Metadata(null, null, null).values()).isEmpty();
        assertThat(new Metadata(null, null, null)).isEqualTo(Metadata.EMPTY);
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("user", null);
        assertThatThrownBy(() -> new Metadata(null, null, nullValue)).isInstanceOf(NullPointerException.class)
                .hasMessage("metadata value of key user");
        Map<String, String> nullKey = new HashMap<>();
        nullKey.put(null, "x");
        assertThatThrownBy(() -> new Metadata(null, null, nullKey)).isInstanceOf(NullPointerException.class)
                .hasMessage("metadata key");
    }

    @Test
    void the_with_methods_return_copies_and_leave_the_original_alone() {
        Metadata original = Metadata.correlatedBy("corr");
        Metadata changed = original.withCausationId("cmd-1").with("user", "ann").with("user", "bob").withCorrelationId("c2");

        assertThat(original).isEqualTo(new Metadata("corr", null, Map.of()));
        assertThat(changed).isEqualTo(new Metadata("c2", "cmd-1", Map.of("user", "bob")));
    }

    @Test
    void empty_means_no_ids_and_no_values() {
        assertThat(Metadata.EMPTY.isEmpty()).isTrue();
        assertThat(Metadata.correlatedBy("c").isEmpty()).isFalse();
        assertThat(Metadata.EMPTY.withCausationId("x").isEmpty()).isFalse();
        assertThat(Metadata.EMPTY.with("k", "v").isEmpty()).isFalse();
    }
}
