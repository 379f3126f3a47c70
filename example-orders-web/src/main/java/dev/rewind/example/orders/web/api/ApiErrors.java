package dev.rewind.example.orders.web.api;

import dev.rewind.ConcurrencyConflictException;
import dev.rewind.command.CommandConflictException;
import dev.rewind.example.orders.command.OrderRuleViolation;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.exc.ValueInstantiationException;

/**
 * Every refusal is an RFC 9457 problem ({@code application/problem+json}) whose {@code detail} says what
 * was wrong in the request's own terms: 400 for a body or parameter that cannot be read, 404 for an
 * unknown projection, 409 for a concurrency conflict, 413 for a body over {@code orders.max-body-size},
 * 415 for a body that is not JSON, 422 for a command the order's rules refuse (with the {@code rule}).
 * In every one of these cases nothing was stored: the refusal comes before the command exists, or from
 * the aggregate, which appends nothing when it throws.
 */
@RestControllerAdvice
public class ApiErrors extends ResponseEntityExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);
    private static final int ECHO = 100;

    /** Spring creates it. */
    public ApiErrors() {
    }

    /**
     * @param e the aggregate's refusal
     * @return 422 with the rule's message and name
     */
    @ExceptionHandler(OrderRuleViolation.class)
    public ProblemDetail refused(OrderRuleViolation e) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT, e.getMessage());
        p.setTitle("Command refused");
        p.setProperty("rule", e.rule().name());
        return p;
    }

    /**
     * @param e another writer kept appending to the order's stream
     * @return 409
     */
    @ExceptionHandler({CommandConflictException.class, ConcurrencyConflictException.class})
    public ProblemDetail conflict(RuntimeException e) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
        p.setTitle("Concurrency conflict");
        return p;
    }

    /**
     * @param e a body over the limit, told by its length before reading
     * @return 413
     */
    @ExceptionHandler(BodySizeLimit.TooLarge.class)
    public ProblemDetail tooLarge(BodySizeLimit.TooLarge e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE, e.getMessage());
    }

    @Override
    protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException e, HttpHeaders headers,
                                                        HttpStatusCode status, WebRequest request) {
        String kind = e.getRequiredType() != null && Number.class.isAssignableFrom(
                org.springframework.util.ClassUtils.resolvePrimitiveIfNecessary(e.getRequiredType()))
                ? "a whole number" : "a " + (e.getRequiredType() == null ? "value" : e.getRequiredType().getSimpleName());
        return ResponseEntity.badRequest().body(ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "'" + e.getPropertyName() + "' must be " + kind + ", was '" + shorten(String.valueOf(e.getValue())) + "'"));
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BodySizeLimit.TooLarge tooLarge) { // found while reading a body sent without a length
                return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).body(tooLarge(tooLarge));
            }
        }
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "the request body was refused: "
                + unreadable(e));
        p.setTitle("Unreadable request body");
        return ResponseEntity.badRequest().body(p);
    }

    /** Says what was wrong with the JSON in the request's terms, never with the server's class names. */
    static String unreadable(HttpMessageNotReadableException e) {
        Throwable cause = e.getCause();
        if (cause instanceof UnrecognizedPropertyException u) {
            return "unknown field '" + shorten(u.getPropertyName()) + "'; the fields are " + u.getKnownPropertyIds()
                    .stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
        }
        if (cause instanceof ValueInstantiationException v && v.getCause() instanceof IllegalArgumentException iae) {
            return iae.getMessage(); // our own checks, e.g. 'userId' must not be blank
        }
        if (cause instanceof MismatchedInputException m) {
            String field = path(m);
            String message = m.getOriginalMessage() == null ? "" : m.getOriginalMessage();
            if (message.startsWith("Missing creator property")) {
                return "missing field '" + field + "'";
            }
            if (message.startsWith("Null value for creator property")) {
                return "field '" + field + "' must not be null";
            }
            if (message.startsWith("Trailing token")) {
                return "there is something after the JSON object";
            }
            return field.isEmpty() ? clause(message) : "field '" + field + "': " + clause(message);
        }
        if (cause instanceof JacksonException j) {
            String at = j.getLocation() == null ? ""
                    : " (line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr() + ")";
            return "malformed JSON" + at + ": " + clause(j.getOriginalMessage());
        }
        return "a JSON object is expected";
    }

    /** The first clause of a Jackson message: what went wrong, without its advice on Jackson's settings. */
    private static String clause(String s) {
        if (s == null) {
            return "";
        }
        int end = s.length();
        for (String stop : new String[] {"\n", " (start marker", " (but ", "; `"}) {
            int i = s.indexOf(stop);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        return shorten(s.substring(0, end));
    }

    private static String path(DatabindException e) {
        return e.getPath().stream().map(r -> r.getPropertyName() != null ? r.getPropertyName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    /** Echoes at most {@value #ECHO} characters of what a client sent. */
    static String shorten(String s) {
        return s == null || s.length() <= ECHO ? s : s.substring(0, ECHO) + "...";
    }

    /**
     * @param e anything else: a bug, or a store that cannot be reached
     * @return 500 with no detail beyond the type (the log has the rest)
     */
    @ExceptionHandler(RuntimeException.class)
    public ProblemDetail unexpected(RuntimeException e) {
        LOG.error("request failed", e);
        return ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                "the server failed (" + e.getClass().getSimpleName() + "); its log has the details");
    }
}
