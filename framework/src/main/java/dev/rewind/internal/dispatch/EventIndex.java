package dev.rewind.internal.dispatch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Numbers the registered event classes 0..n-1 once, at start-up, so that a dispatch table is an array
 * and dispatching an event costs one {@link ClassValue} lookup, shared by every projection.
 */
public final class EventIndex {
    private final List<Class<?>> classes;
    private final Map<Class<?>, Integer> indices = new IdentityHashMap<>();
    private final ClassValue<Integer> cache = new ClassValue<>() {
        @Override
        protected Integer computeValue(Class<?> type) {
            return indices.getOrDefault(type, -1);
        }
    };

    /** @param eventClasses the registered event classes */
    public EventIndex(Collection<Class<?>> eventClasses) {
        List<Class<?>> sorted = new ArrayList<>(eventClasses);
        sorted.sort(Comparator.comparing(Class::getName));
        this.classes = List.copyOf(sorted);
        for (int i = 0; i < classes.size(); i++) {
            indices.put(classes.get(i), i);
        }
    }

    /**
     * @param payloadClass a payload's class
     * @return its index, or -1 when it is not a registered event class
     */
    public int of(Class<?> payloadClass) {
        return cache.get(payloadClass);
    }

    /** @return the registered event classes, in index order */
    public List<Class<?>> classes() {
        return classes;
    }

    /** @return how many event classes are registered */
    public int size() {
        return classes.size();
    }
}
