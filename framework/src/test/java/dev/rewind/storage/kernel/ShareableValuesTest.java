package dev.rewind.storage.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Which payloads the in-memory storage may hand to every reader as they are. */
class ShareableValuesTest {
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
        assertThat(ShareableValues.isImmutable(Flat.class)).isTrue();
        assertThat(ShareableValues.isImmutable(Nested.class)).isTrue();
        assertThat(ShareableValues.isImmutable(Chain.class)).isTrue();
        assertThat(ShareableValues.isImmutable(String.class)).isTrue();
    }

    @Test
    void a_collection_an_array_an_open_type_or_a_record_holding_one_is_not() {
        assertThat(ShareableValues.isImmutable(WithList.class)).isFalse();
        assertThat(ShareableValues.isImmutable(WithMap.class)).isFalse();
        assertThat(ShareableValues.isImmutable(WithArray.class)).isFalse();
        assertThat(ShareableValues.isImmutable(WithObject.class)).isFalse();
        assertThat(ShareableValues.isImmutable(NestedMutable.class)).isFalse();
        assertThat(ShareableValues.isImmutable(StringBuilder.class)).isFalse();
    }
}
