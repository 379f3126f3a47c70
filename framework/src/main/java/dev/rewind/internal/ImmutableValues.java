package dev.rewind.internal;

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
 * Not API. Decides, once per class, whether a payload can be shared between the appender and every reader:
 * a record whose components are all primitives, well-known immutable JDK values, enums, or records of
 * the same kind. A component of any other type (a {@code List}, an array, an interface) might be
 * changed after the append, so such payloads are not cached.
 */
public final class ImmutableValues {
    private static final Set<Class<?>> KNOWN = Set.of(String.class, Boolean.class, Character.class, Byte.class,
            Short.class, Integer.class, Long.class, Float.class, Double.class, BigDecimal.class, BigInteger.class,
            UUID.class, Instant.class, LocalDate.class, LocalDateTime.class, LocalTime.class, OffsetDateTime.class,
            OffsetTime.class, ZonedDateTime.class, Duration.class, Period.class, Year.class, YearMonth.class,
            MonthDay.class, ZoneOffset.class, DayOfWeek.class, Month.class);
    /** Asked once per appended event: a ClassValue read is cheaper than a map lookup. */
    private static final ClassValue<Boolean> CACHE = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return check(type, new HashSet<>());
        }
    };

    private ImmutableValues() {
    }

    /**
     * @param type a payload class
     * @return whether no one holding an instance can change it
     */
    public static boolean isImmutable(Class<?> type) {
        return CACHE.get(type);
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
