package dev.rewind.example.orders.upcasting;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rewind.annotation.Upcaster;
import dev.rewind.spi.EventUpcaster;

/**
 * {@code OrderPaid} v2 -> v3: adds {@code paymentMethod}, which releases 1 and 2 did not record.
 *
 * <p><b>The default payment method is {@value #PRE_V3_PAYMENT_METHOD}</b>: before release 3 the shop
 * took card payments only, so that is what every older payment was.
 */
@Upcaster(type = "OrderPaid", from = 2)
public final class OrderPaidV2ToV3 implements EventUpcaster {
    /** The payment method of every payment stored before v3. */
    public static final String PRE_V3_PAYMENT_METHOD = "card";

    /** Needed by scanning. */
    public OrderPaidV2ToV3() {
    }

    @Override
    public ObjectNode upcast(ObjectNode v2) {
        if (!v2.has("paymentMethod")) {
            v2.put("paymentMethod", PRE_V3_PAYMENT_METHOD);
        }
        return v2;
    }
}
