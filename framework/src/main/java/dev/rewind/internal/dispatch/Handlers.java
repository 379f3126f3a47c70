package dev.rewind.internal.dispatch;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;

/**
 * What inspecting one class found: its handler methods and, for each registered event class it
 * handles, the invoker to call. Immutable; built once per class.
 *
 * @param type the inspected class
 * @param methods the handler methods
 * @param byEventClass registered event class -> invoker of type {@code (Object target, StoredEvent event)void}
 */
public record Handlers(Class<?> type, List<Method> methods, Map<Class<?>, Invoker> byEventClass) {

    /**
     * @param index the event index
     * @return the dispatch table: invoker by event index, null where the class has no handler
     */
    public Invoker[] table(EventIndex index) {
        Invoker[] table = new Invoker[index.size()];
        for (int i = 0; i < table.length; i++) {
            table[i] = byEventClass.get(index.classes().get(i));
        }
        return table;
    }
}
