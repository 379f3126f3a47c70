package dev.rewind.internal.dispatch;

import dev.rewind.StoredEvent;
import java.lang.invoke.MethodHandle;

/**
 * Not API. Calls one handler method on a target with one stored event.
 *
 * <p>A handler that takes only the event is called through a class generated for it by
 * {@link java.lang.invoke.LambdaMetafactory}: an ordinary interface call, which the JIT compiles like
 * any other (a few nanoseconds). A handler with further parameters is called through a composed
 * {@link MethodHandle}, which costs more per call (about 25 ns measured) because a handle read from a
 * table is not a constant the JIT can inline.
 */
public abstract class Invoker {
    Invoker() {
    }

    /**
     * @param target the handler instance
     * @param event the event
     * @throws Throwable whatever the handler throws
     */
    public abstract void invoke(Object target, StoredEvent<?> event) throws Throwable;

    /** @return whether the call goes through a generated class rather than a method handle */
    public abstract boolean isGenerated();

    /** The generated call of a one-parameter handler: (target, payload). */
    @FunctionalInterface
    public interface PayloadHandler {
        /**
         * @param target the handler instance
         * @param payload the event's payload
         */
        void handle(Object target, Object payload);
    }

    static Invoker of(PayloadHandler handler) {
        return new Payload(handler);
    }

    static Invoker of(MethodHandle handle) {
        return new Handle(handle);
    }

    private static final class Payload extends Invoker {
        private final PayloadHandler handler;

        Payload(PayloadHandler handler) {
            this.handler = handler;
        }

        @Override
        public void invoke(Object target, StoredEvent<?> event) {
            handler.handle(target, event.payload());
        }

        @Override
        public boolean isGenerated() {
            return true;
        }
    }

    private static final class Handle extends Invoker {
        private final MethodHandle handle;

        Handle(MethodHandle handle) {
            this.handle = handle;
        }

        @Override
        public void invoke(Object target, StoredEvent<?> event) throws Throwable {
            handle.invokeExact(target, event);
        }

        @Override
        public boolean isGenerated() {
            return false;
        }
    }
}
