package dev.rewind.example.orders.cli;

import dev.rewind.ExpectedVersion;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The option values that need more than a type: each converter refuses what it cannot parse or what is
 * out of range, so that picocli reports it as a usage error (exit code 2) naming the option.
 */
final class Values {
    private Values() {
    }

    private static long parseLong(String text) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + text + "' is not a whole number");
        }
    }

    /** A count, position or version: 0 or more. */
    static final class NonNegative implements ITypeConverter<Long> {
        @Override
        public Long convert(String text) {
            long value = parseLong(text);
            if (value < 0) {
                throw new TypeConversionException("must be 0 or more, was " + text);
            }
            return value;
        }
    }

    /** A global position, or -1 for "before the first event". */
    static final class PositionOrNone implements ITypeConverter<Long> {
        @Override
        public Long convert(String text) {
            long value = parseLong(text);
            if (value < -1) {
                throw new TypeConversionException("must be -1 (before the first event) or a position 0 or more, was " + text);
            }
            return value;
        }
    }

    /** A schema version: 1 or more. */
    static final class SchemaVersion implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            long value = parseLong(text);
            if (value < 1 || value > Integer.MAX_VALUE) {
                throw new TypeConversionException("must be a schema version 1 or more, was " + text);
            }
            return (int) value;
        }
    }

    /** {@code any}, {@code no-stream}, or the version of the stream's last event (0 or more). */
    static final class Expected implements ITypeConverter<ExpectedVersion> {
        @Override
        public ExpectedVersion convert(String text) {
            switch (text) {
                case "any":
                    return ExpectedVersion.any();
                case "no-stream":
                    return ExpectedVersion.noStream();
                default:
                    try {
                        long version = Long.parseLong(text);
                        if (version >= 0) {
                            return ExpectedVersion.exactly(version);
                        }
                    } catch (NumberFormatException e) {
                        // refused below, with the accepted forms
                    }
                    throw new TypeConversionException("must be any, no-stream or a version 0 or more, was '" + text + "'");
            }
        }
    }

    /** A PostgreSQL schema name the demo may create and drop: lower case, unquoted. */
    static final class SchemaName implements ITypeConverter<String> {
        private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

        @Override
        public String convert(String text) {
            if (!NAME.matcher(text).matches()) {
                throw new TypeConversionException("must be a lower-case SQL name ([a-z_][a-z0-9_]*, at most 63 characters), was '"
                        + text + "'");
            }
            return text;
        }
    }
}
