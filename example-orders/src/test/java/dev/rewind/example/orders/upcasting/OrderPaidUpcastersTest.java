package dev.rewind.example.orders.upcasting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rewind.serialization.JacksonEventSerializer;
import org.junit.jupiter.api.Test;

class OrderPaidUpcastersTest {
    private static final ObjectMapper JSON = JacksonEventSerializer.defaultMapper();

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) JSON.readTree(text);
    }

    @Test
    void v1_dollars_become_cents_in_us_dollars() throws Exception {
        ObjectNode v2 = new OrderPaidV1ToV2().upcast(json("{\"orderId\":\"o\",\"amount\":\"39.90\"}"));
        assertThat(v2).hasToString("{\"orderId\":\"o\",\"amountCents\":3990,\"currency\":\"USD\"}");
    }

    @Test
    void v1_amounts_without_cents_or_with_one_decimal_are_exact() throws Exception {
        assertThat(new OrderPaidV1ToV2().upcast(json("{\"orderId\":\"o\",\"amount\":\"12\"}")).get("amountCents").asLong())
                .isEqualTo(1200);
        assertThat(new OrderPaidV1ToV2().upcast(json("{\"orderId\":\"o\",\"amount\":\"0.5\"}")).get("amountCents").asLong())
                .isEqualTo(50);
    }

    @Test
    void a_fraction_of_a_cent_is_refused_not_rounded() {
        assertThatThrownBy(() -> new OrderPaidV1ToV2().upcast(json("{\"orderId\":\"o\",\"amount\":\"1.005\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("OrderPaid v1 amount \"1.005\" is not a dollar amount with at most two decimals");
    }

    @Test
    void a_v1_event_without_a_textual_amount_is_refused() {
        assertThatThrownBy(() -> new OrderPaidV1ToV2().upcast(json("{\"orderId\":\"o\",\"amount\":12.5}")))
                .hasMessage("OrderPaid v1 needs \"amount\" as a decimal string in dollars, found 12.5");
    }

    @Test
    void v2_gets_the_card_payment_method() throws Exception {
        ObjectNode v3 = new OrderPaidV2ToV3().upcast(json("{\"orderId\":\"o\",\"amountCents\":5,\"currency\":\"EUR\"}"));
        assertThat(v3).hasToString("{\"orderId\":\"o\",\"amountCents\":5,\"currency\":\"EUR\",\"paymentMethod\":\"card\"}");
    }
}
