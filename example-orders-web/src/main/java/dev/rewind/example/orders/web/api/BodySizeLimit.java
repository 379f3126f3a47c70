package dev.rewind.example.orders.web.api;

import dev.rewind.example.orders.web.OrdersWebProperties;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Type;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdviceAdapter;

/**
 * Refuses a request body over {@code orders.max-body-size} (413, {@link ApiErrors}): at once when its
 * {@code Content-Length} says so, else (a chunked body) as soon as reading passes the limit. Nothing
 * of it reaches a command. Servlet containers cap form posts only; a JSON body needs this.
 */
@ControllerAdvice
public class BodySizeLimit extends RequestBodyAdviceAdapter {
    private final long max;

    /** @param properties the app's settings */
    public BodySizeLimit(OrdersWebProperties properties) {
        this.max = properties.getMaxBodySize().toBytes();
    }

    /** A body over the limit. An {@link IOException}, so that the JSON reader passes it on unchanged. */
    public static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message);
        }
    }

    @Override
    public boolean supports(MethodParameter parameter, Type targetType,
                            Class<? extends HttpMessageConverter<?>> converterType) {
        return true;
    }

    @Override
    public HttpInputMessage beforeBodyRead(HttpInputMessage input, MethodParameter parameter, Type targetType,
                                           Class<? extends HttpMessageConverter<?>> converterType) throws IOException {
        long length = input.getHeaders().getContentLength();
        if (length > max) {
            throw tooLarge(length + " bytes");
        }
        InputStream limited = new Limited(input.getBody());
        HttpHeaders headers = input.getHeaders();
        return new HttpInputMessage() {
            @Override
            public InputStream getBody() {
                return limited;
            }

            @Override
            public HttpHeaders getHeaders() {
                return headers;
            }
        };
    }

    private TooLarge tooLarge(String size) {
        return new TooLarge("the request body (" + size + ") is larger than the " + max
                + " bytes accepted (orders.max-body-size)");
    }

    /** Counts what is read and fails past the limit. */
    private final class Limited extends FilterInputStream {
        private long count;

        Limited(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                add(n);
            }
            return n;
        }

        private void add(long n) throws TooLarge {
            count += n;
            if (count > max) {
                throw tooLarge("more than " + max + " bytes");
            }
        }
    }
}
