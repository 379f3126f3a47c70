package dev.rewind.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Which payloads the in-memory storage may hand to every reader as they are. */
class ImmutableValuesTest {
    enum Status { OPEN, CLOSED }

    record Money(BigDecimal amount, String currency) {
    }

    record Flat(String s, int i, long l, boolean b, UUID id, Instant at, LocalDate day, Status status, Money money) {
    }

    record WithList(String id, List<String> tags) {
    }

    record WithMap(Map<String, String> values) {
    }

    record WithArray(byte[] bytes) {
    }

    record WithObject(Object anything) {
    }

    record Nested(Flat flat, Money money) {
    }

    record NestedMutable(WithList inner) {
    }

    record Chain(String value, Chain next) {
    }

    @Test
    void records_of_primitives_strings_java_time_enums_and_such_records_are_immutable() {
        assertThat(ImmutableValues.isImmutable(Flat.class)).isTrue();
        assertThat(ImmutableValues.isImmutable(Nested.class)).isTrue();
        assertThat(ImmutableValues.isImmutable(Chain.class)).isTrue();
        assertThat(ImmutableValues.isImmutable(String.class)).isTrue();
    }

    @Test
    void a_collection_an_array_an_open_type_or_a_record_holding_one_is_not() {
        assertThat(ImmutableValues.isImmutable(WithList.class)).isFalse();
        assertThat(ImmutableValues.isImmutable(WithMap.class)).isFalse();
        assertThat(ImmutableValues.isImmutable(WithArray.class)).isFalse();
        assertThat(ImmutableValues.isImmutable(WithObject.class)).isFalse();
        assertThat(ImmutableValues.isImmutable(NestedMutable.class)).isFalse();
        assertThat(ImmutableValues.isImmutable(StringBuilder.class)).isFalse();
    }
}
