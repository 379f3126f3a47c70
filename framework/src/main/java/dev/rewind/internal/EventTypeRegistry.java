package dev.rewind.internal;

import dev.rewind.UnknownEventTypeException;
import dev.rewind.annotation.Event;
import dev.rewind.spi.EventUpcaster;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The closed registry of event types: logical name -> record class, current version and upcaster
 * chain. Built once at start-up ({@link Builder}), immutable afterwards.
 */
public final class EventTypeRegistry {

    /**
     * One registered type.
     *
     * @param name logical name
     * @param version current schema version
     * @param javaClass the record class
     * @param steps {@code steps[v]} upcasts version v to v + 1 (index 0 unused)
     */
    public record EventType(String name, int version, Class<?> javaClass, EventUpcaster[] steps) {
    }

    private final Map<String, EventType> byName;
    private final Map<Class<?>, EventType> byClass;

    /** On the append path: one ClassValue read per event instead of a map probe. */
    private final ClassValue<EventType> classCache = new ClassValue<>() {
        @Override
        protected EventType computeValue(Class<?> type) {
            return byClass.get(type);
        }
    };

    private EventTypeRegistry(Map<String, EventType> byName, Map<Class<?>, EventType> byClass) {
        this.byName = byName;
        this.byClass = byClass;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param storedName a type name as stored (a current name or a renamed old one)
     * @return the type, or null
     */
    public EventType byStoredName(String storedName) {
        return byName.get(storedName);
    }

    /**
     * @param payloadClass a payload's class
     * @return its type
     * @throws UnknownEventTypeException when the class is not registered
     */
    public EventType byClass(Class<?> payloadClass) {
        EventType type = classCache.get(payloadClass);
        if (type == null) {
            throw new UnknownEventTypeException(payloadClass.getName(),
                    "(a payload class that is not a registered event type; annotate it with @Event and register or scan it)");
        }
        return type;
    }

    /** @return the registered types by class */
    public Map<Class<?>, EventType> types() {
        return byClass;
    }

    /** @return whether any type is registered */
    public boolean isEmpty() {
        return byClass.isEmpty();
    }

    /** Collects types, upcasters and renames; {@link #build()} validates them all. */
    public static final class Builder {
        private final Map<String, Class<?>> classes = new TreeMap<>();
        private final Map<String, String> origins = new HashMap<>();
        private final List<UpcasterDecl> upcasters = new ArrayList<>();
        private final Map<String, String> renames = new TreeMap<>();
        private final Map<String, String> renameOrigins = new HashMap<>();

        private record UpcasterDecl(String type, int from, EventUpcaster upcaster, String origin) {
        }

        private Builder() {
        }

        /**
         * @param eventClass a record annotated with {@link Event}
         * @param origin who registered it (for error messages)
         * @return this
         */
        public Builder type(Class<?> eventClass, String origin) {
            Event event = eventClass.getAnnotation(Event.class);
            if (event == null) {
                throw new IllegalStateException("@Event is missing on " + eventClass.getName()
                        + ": annotate the record with @Event(name = \"...\", version = n)");
            }
            if (!eventClass.isRecord()) {
                throw new IllegalStateException("@Event " + eventClass.getName()
                        + " is not a record: declare event types as Java records");
            }
            if (event.name().isBlank()) {
                throw new IllegalStateException("@Event on " + eventClass.getName() + " has a blank name");
            }
            if (event.version() < 1) {
                throw new IllegalStateException("@Event on " + eventClass.getName() + " has version "
                        + event.version() + ": versions start at 1");
            }
            Class<?> existing = classes.get(event.name());
            if (existing != null && existing != eventClass) {
                throw new IllegalStateException("event type '" + event.name() + "' is registered twice: "
                        + existing.getName() + " (from " + origins.get(event.name()) + ") and "
                        + eventClass.getName() + " (from " + origin + ")");
            }
            classes.put(event.name(), eventClass);
            origins.putIfAbsent(event.name(), origin);
            return this;
        }

        /**
         * @param type the current type name
         * @param from the version it upcasts from
         * @param upcaster the step from {@code from} to {@code from + 1}
         * @param origin who registered it (its class name, for error messages)
         * @return this
         */
        public Builder upcaster(String type, int from, EventUpcaster upcaster, String origin) {
            upcasters.add(new UpcasterDecl(type, from, upcaster, origin));
            return this;
        }

        /**
         * @param oldName a type name found in stored data
         * @param newName the registered type it now reads as
         * @param origin who registered the rename
         * @return this
         */
        public Builder rename(String oldName, String newName, String origin) {
            String existing = renames.get(oldName);
            if (existing != null && !existing.equals(newName)) {
                throw new IllegalStateException("stored type name '" + oldName + "' is renamed twice: to '"
                        + existing + "' (from " + renameOrigins.get(oldName) + ") and to '" + newName
                        + "' (from " + origin + ")");
            }
            renames.put(oldName, newName);
            renameOrigins.putIfAbsent(oldName, origin);
            return this;
        }

        /**
         * Validates everything and builds the registry.
         *
         * @return the registry
         * @throws IllegalStateException naming the type and the step for a broken upcaster chain or rename
         */
        public EventTypeRegistry build() {
            Map<String, EventUpcaster[]> chains = new HashMap<>();
            Map<String, String> stepOrigin = new HashMap<>();
            for (UpcasterDecl d : upcasters) {
                Class<?> cls = classes.get(d.type());
                if (cls == null) {
                    throw new IllegalStateException("upcaster " + d.origin() + " is for type '" + d.type()
                            + "', which is not a registered event type (register the record annotated @Event(name = \""
                            + d.type() + "\"), or name the type it was renamed to)");
                }
                int current = cls.getAnnotation(Event.class).version();
                if (d.from() < 1 || d.from() >= current) {
                    throw new IllegalStateException("upcaster " + d.origin() + " upcasts " + d.type() + " from v"
                            + d.from() + " to v" + (d.from() + 1) + ", but the current version of " + d.type()
                            + " is v" + current + " (" + cls.getName() + "): an upcaster's 'from' must be between 1 and "
                            + (current - 1));
                }
                EventUpcaster[] steps = chains.computeIfAbsent(d.type(), t -> new EventUpcaster[current]);
                String key = d.type() + "#" + d.from();
                if (steps[d.from()] != null) {
                    throw new IllegalStateException("two upcasters for " + d.type() + " v" + d.from() + " to v"
                            + (d.from() + 1) + ": " + stepOrigin.get(key) + " and " + d.origin()
                            + " (keep exactly one per step)");
                }
                steps[d.from()] = d.upcaster();
                stepOrigin.put(key, d.origin());
            }
            Map<String, EventType> byName = new HashMap<>();
            Map<Class<?>, EventType> byClass = new HashMap<>();
            for (Map.Entry<String, Class<?>> e : classes.entrySet()) {
                int current = e.getValue().getAnnotation(Event.class).version();
                EventUpcaster[] steps = chains.getOrDefault(e.getKey(), new EventUpcaster[current]);
                checkContiguous(e.getKey(), current, steps);
                EventType type = new EventType(e.getKey(), current, e.getValue(), steps);
                byName.put(e.getKey(), type);
                byClass.put(e.getValue(), type);
            }
            for (Map.Entry<String, String> r : renames.entrySet()) {
                if (byName.containsKey(r.getKey()) && !renames.containsKey(r.getValue())) {
                    throw new IllegalStateException("rename of stored type '" + r.getKey() + "' to '" + r.getValue()
                            + "' (from " + renameOrigins.get(r.getKey()) + "): '" + r.getKey()
                            + "' is itself a registered type; a rename must map an old name that no type has any more");
                }
                EventType target = byName.get(r.getValue());
                if (target == null) {
                    throw new IllegalStateException("rename of stored type '" + r.getKey() + "' to '" + r.getValue()
                            + "' (from " + renameOrigins.get(r.getKey()) + ") does not end at a registered event type");
                }
            }
            renames.forEach((oldName, newName) -> byName.put(oldName, byName.get(newName)));
            return new EventTypeRegistry(Map.copyOf(byName), Map.copyOf(byClass));
        }

        /** Versions 1..current-1 must each have a step once any step exists; a type with no upcaster reads only its current version. */
        private static void checkContiguous(String type, int current, EventUpcaster[] steps) {
            boolean any = false;
            for (int v = 1; v < current; v++) {
                any |= steps[v] != null;
            }
            if (!any) {
                return;
            }
            for (int v = 1; v < current; v++) {
                if (steps[v] == null) {
                    throw new IllegalStateException("no upcaster from " + type + " v" + v + " to v" + (v + 1)
                            + ": the chain for " + type + " must cover every step from v1 to the current v" + current
                            + " (add an @Upcaster(type = \"" + type + "\", from = " + v + "))");
                }
            }
        }
    }
}
