package dev.rewind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ExpectedVersionTest {

    @Test
    void any_matches_every_stream_no_stream_only_an_empty_one_and_exactly_n_only_version_n() {
        assertThat(ExpectedVersion.any().matches(-1)).isTrue();
        assertThat(ExpectedVersion.any().matches(41)).isTrue();
        assertThat(ExpectedVersion.noStream().matches(-1)).isTrue();
        assertThat(ExpectedVersion.noStream().matches(0)).isFalse();
        assertThat(ExpectedVersion.exactly(0).matches(0)).isTrue();
        assertThat(ExpectedVersion.exactly(0).matches(-1)).isFalse();
        assertThat(ExpectedVersion.exactly(2).matches(3)).isFalse();
    }

    @Test
    void a_negative_exact_version_is_rejected_pointing_to_no_stream() {
        assertThatThrownBy(() -> ExpectedVersion.exactly(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected version must be 0 or more, was -1 (use ExpectedVersion.noStream() for a stream that does not exist yet)");
    }

    @Test
    void after_version_turns_a_read_version_into_the_expectation_for_the_next_append() {
        assertThat(ExpectedVersion.afterVersion(-1)).isEqualTo(ExpectedVersion.noStream());
        assertThat(ExpectedVersion.afterVersion(3)).isEqualTo(ExpectedVersion.exactly(3));
        assertThat(ExpectedVersion.exactly(3)).hasSameHashCodeAs(ExpectedVersion.exactly(3));
        assertThat(ExpectedVersion.exactly(3).lastVersion()).isEqualTo(3);
        assertThat(ExpectedVersion.noStream().lastVersion()).isEqualTo(-1);
        assertThat(ExpectedVersion.any().isAny()).isTrue();
        assertThat(ExpectedVersion.exactly(0).isAny()).isFalse();
    }

    @Test
    void it_reads_well_in_messages() {
        assertThat(ExpectedVersion.any()).hasToString("any");
        assertThat(ExpectedVersion.noStream()).hasToString("no stream");
        assertThat(ExpectedVersion.exactly(7)).hasToString("version 7");
        assertThat(ExpectedVersion.describe(-1)).isEqualTo("no stream");
        assertThat(ExpectedVersion.describe(2)).isEqualTo("version 2");
    }
}
