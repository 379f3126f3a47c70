package dev.rewind.storage.kernel;

import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.Month;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * Decides, once per class, whether a payload can be shared between the appender and every reader:
 * a record whose components are all primitives, well-known immutable JDK values, enums, or records of
 * the same kind. A component of any other type (a {@code List}, an array, an interface) might be
 * changed after the append, so such payloads are not cached.
 */
public final class ShareableValues {
    private static final Set<Class<?>> KNOWN = Set.of(String.class, Boolean.class, Character.class, Byte.class,
            Short.class, Integer.class, Long.class, Float.class, Double.class, BigDecimal.class, BigInteger.class,
            UUID.class, Instant.class, LocalDate.class, LocalDateTime.class, LocalTime.class, OffsetDateTime.class,
            OffsetTime.class, ZonedDateTime.class, Duration.class, Period.class, Year.class, YearMonth.class,
            MonthDay.class, ZoneOffset.class, DayOfWeek.class, Month.class);
    /**
     * Asked several times per appended event, so answered from a small table indexed by the class's
     * identity hash; a miss (or a collision) falls back to the {@link ClassValue}. A plain
     * {@code ClassValue} read was not enough: with several class values on the same payload class its
     * per-class cache missed and took a synchronised path about half the time (profile of the
     * in-memory append). Entries are immutable and published through their final fields,
     * so the table needs no lock; a lost race only costs a later miss.
     */
    private static final Known[] FAST = new Known[64];
    private static final ClassValue<Boolean> CACHE = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return check(type, new HashSet<>());
        }
    };

    private ShareableValues() {
    }

    /**
     * @param type a payload class
     * @return whether no one holding an instance can change it
     */
    public static boolean isImmutable(Class<?> type) {
        int slot = System.identityHashCode(type) & (FAST.length - 1);
        Known known = FAST[slot];
        if (known != null && known.type == type) {
            return known.immutable;
        }
        boolean immutable = CACHE.get(type);
        FAST[slot] = new Known(type, immutable);
        return immutable;
    }

    /**
     * @param payload a payload object, or null
     * @return whether it is there and no one holding it can change it, so that it may be shared
     *     between the appender and every reader instead of being decoded from its bytes
     */
    public static boolean isShareable(Object payload) {
        return payload != null && isImmutable(payload.getClass());
    }

    /** One answer of the fast table. */
    private static final class Known {
        final Class<?> type;
        final boolean immutable;

        Known(Class<?> type, boolean immutable) {
            this.type = type;
            this.immutable = immutable;
        }
    }

    private static boolean check(Class<?> type, Set<Class<?>> visiting) {
        if (type.isPrimitive() || type.isEnum() || KNOWN.contains(type)) {
            return true;
        }
        if (!type.isRecord()) {
            return false;
        }
        if (!visiting.add(type)) {
            return true; // a record that refers to itself: its other components decide
        }
        for (RecordComponent c : type.getRecordComponents()) {
            if (!check(c.getType(), visiting)) {
                return false;
            }
        }
        return true;
    }
}
