package dev.rewind.example.orders.web.api;

import dev.rewind.command.CommandGateway;
import dev.rewind.command.CommandMessage;
import dev.rewind.command.CommandResult;
import dev.rewind.example.orders.command.AddItem;
import dev.rewind.example.orders.command.CancelOrder;
import dev.rewind.example.orders.command.PayOrder;
import dev.rewind.example.orders.command.PlaceOrder;
import dev.rewind.example.orders.command.ShipOrder;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The write side over HTTP: one endpoint per order command, each sent through the command gateway,
 * where the {@code Order} aggregate checks its rules. The answer is 201 with the events stored and a
 * {@code Location} of the order's stream; a refused command is 422 with the rule's message
 * ({@link ApiErrors}), a concurrency conflict that outlasted the gateway's retries 409.
 *
 * <p>An {@code Idempotency-Key} header becomes the command's id: sending the same request again (a
 * client that timed out, say) returns the first result with status 200 and appends nothing.
 */
@RestController
@RequestMapping("/api/orders")
public class OrderCommandsController {
    private static final String KEY = "Idempotency-Key";
    private final CommandGateway commands;

    /** @param commands the starter's command gateway bean */
    public OrderCommandsController(CommandGateway commands) {
        this.commands = commands;
    }

    /**
     * @param body {@code {"orderId", "userId", "currency"}}
     * @param key an optional idempotency key
     * @return 201 with the {@code OrderPlaced} event
     */
    @PostMapping
    public ResponseEntity<CommandResponse> place(@RequestBody OrderRequests.Place body,
                                                 @RequestHeader(name = KEY, required = false) String key) {
        return send(new PlaceOrder(body.orderId(), body.userId(), body.currency()), key);
    }

    /**
     * @param orderId the order
     * @param body {@code {"sku", "quantity", "unitPriceCents"}}
     * @param key an optional idempotency key
     * @return 201 with the {@code ItemAdded} event
     */
    @PostMapping("/{orderId}/items")
    public ResponseEntity<CommandResponse> addItem(@PathVariable String orderId, @RequestBody OrderRequests.AddItem body,
                                                   @RequestHeader(name = KEY, required = false) String key) {
        return send(new AddItem(orderId, body.sku(), body.quantity(), body.unitPriceCents()), key);
    }

    /**
     * @param orderId the order
     * @param body {@code {"amountCents", "paymentMethod"}}
     * @param key an optional idempotency key
     * @return 201 with the {@code OrderPaid} event
     */
    @PostMapping("/{orderId}/payment")
    public ResponseEntity<CommandResponse> pay(@PathVariable String orderId, @RequestBody OrderRequests.Pay body,
                                               @RequestHeader(name = KEY, required = false) String key) {
        return send(new PayOrder(orderId, body.amountCents(), body.paymentMethod()), key);
    }

    /**
     * @param orderId the order
     * @param body {@code {"carrier"}}
     * @param key an optional idempotency key
     * @return 201 with the {@code OrderShipped} event
     */
    @PostMapping("/{orderId}/shipment")
    public ResponseEntity<CommandResponse> ship(@PathVariable String orderId, @RequestBody OrderRequests.Ship body,
                                                @RequestHeader(name = KEY, required = false) String key) {
        return send(new ShipOrder(orderId, body.carrier()), key);
    }

    /**
     * @param orderId the order
     * @param body {@code {"reason"}}
     * @param key an optional idempotency key
     * @return 201 with the {@code OrderCancelled} event
     */
    @PostMapping("/{orderId}/cancellation")
    public ResponseEntity<CommandResponse> cancel(@PathVariable String orderId, @RequestBody OrderRequests.Cancel body,
                                                  @RequestHeader(name = KEY, required = false) String key) {
        return send(new CancelOrder(orderId, body.reason()), key);
    }

    private ResponseEntity<CommandResponse> send(Object command, String key) {
        CommandMessage message = CommandMessage.of(command);
        if (key != null) {
            if (key.isBlank() || key.length() > OrderRequests.MAX_TEXT) {
                throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                        KEY + " must be 1 to " + OrderRequests.MAX_TEXT + " characters, not blank");
            }
            message = message.withId(key);
        }
        CommandResult result = commands.send(message);
        if (result.alreadyProcessed()) {
            return ResponseEntity.ok(CommandResponse.of(result));
        }
        URI stream = UriComponentsBuilder.fromPath("/api/streams/{stream}/events").buildAndExpand(result.streamId())
                .encode().toUri();
        return ResponseEntity.status(HttpStatus.CREATED).location(stream).body(CommandResponse.of(result));
    }
}
