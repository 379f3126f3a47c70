package dev.rewind.example.orders.upcasting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rewind.annotation.Upcaster;
import dev.rewind.spi.EventUpcaster;
import java.math.BigDecimal;

/**
 * {@code OrderPaid} v1 -> v2: {@code amount}, a decimal string in dollars ({@code "39.90"}), becomes
 * {@code amountCents} (a long, {@code 3990}), and {@code currency} is added.
 *
 * <p><b>The default currency is {@value #V1_CURRENCY}.</b> A one-event upcaster cannot look up the
 * currency of the order's {@code OrderPlaced}, and it does not need to: release 1 sold in US dollars
 * only, which is why v1 carried no currency at all.
 *
 * <p>An amount with more than two decimals (a fraction of a cent) or that is not a number fails the
 * read rather than being rounded: money is never silently changed.
 */
@Upcaster(type = "OrderPaid", from = 1)
public final class OrderPaidV1ToV2 implements EventUpcaster {
    /** The currency of every v1 payment: release 1 sold in US dollars only. */
    public static final String V1_CURRENCY = "USD";

    /** Needed by scanning. */
    public OrderPaidV1ToV2() {
    }

    @Override
    public ObjectNode upcast(ObjectNode v1) {
        JsonNode amount = v1.remove("amount");
        if (amount == null || !amount.isTextual()) {
            throw new IllegalArgumentException("OrderPaid v1 needs \"amount\" as a decimal string in dollars, found "
                    + (amount == null ? "none" : amount.toString()));
        }
        long cents;
        try {
            cents = new BigDecimal(amount.textValue()).movePointRight(2).longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("OrderPaid v1 amount " + amount
                    + " is not a dollar amount with at most two decimals", e);
        }
        v1.put("amountCents", cents);
        v1.put("currency", V1_CURRENCY);
        return v1;
    }
}
