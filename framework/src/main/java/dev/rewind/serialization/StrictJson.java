package dev.rewind.serialization;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.cfg.MutableCoercionConfig;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The strict reading path for JSON that comes from outside the store ({@code EventStore.appendRaw}).
 * It has a mapper of its own, a copy of the serializer's, so that the normal binding of stored events
 * (the hot read path) is not changed by anything here.
 *
 * <p>Refused: anything but exactly one JSON object, duplicate field names, content after the object,
 * and every scalar coercion: a float for an integer, a string for a number or a boolean, a number or a
 * boolean for a string, a number for a boolean or an enum, an empty string for anything but a string,
 * a number (or a string of digits read as an epoch time) for a {@code java.time} value. Unknown fields,
 * missing fields and nulls for primitives are refused as on the normal path. What remains allowed is
 * widening without loss: an integer for a {@code long}, {@code BigInteger}, {@code double},
 * {@code float} or {@code BigDecimal}. Errors are {@link IllegalArgumentException}s saying what was
 * wrong and where (line and column, or the field's path).
 */
final class StrictJson {
    /** A string that Jackson's {@code java.time} support would read as seconds since the epoch. */
    private static final Pattern EPOCH_TEXT = Pattern.compile("-?\\d+(\\.\\d+)?");
    /** The {@code java.time} types that read a string of digits as an epoch time instead of refusing it. */
    private static final Set<Class<?>> READ_DIGITS_AS_EPOCH = Set.of(Instant.class, OffsetDateTime.class,
            ZonedDateTime.class);
    private static final Pattern COERCE = Pattern.compile(
            "^Cannot coerce (?:[A-Za-z_-]+ value|empty String) \\((.*)\\) to (?:element of )?`([^`]+)` value.*", Pattern.DOTALL);
    private static final Pattern OUT_OF_RANGE = Pattern.compile("^Numeric value \\((.*?)\\) out of range of (\\w+).*", Pattern.DOTALL);
    private static final Pattern DUPLICATE = Pattern.compile("^Duplicate field '(.*)'$", Pattern.DOTALL);
    private static final Pattern MISSING = Pattern.compile("^Missing creator property '([^']*)'.*", Pattern.DOTALL);
    private static final Pattern NUMBER_FOR_ENUM = Pattern.compile(
            "^Cannot deserialize value of type `([^`]+)` from number (\\S+?):? not allowed to deserialize Enum value out of number.*",
            Pattern.DOTALL);
    private static final Pattern NULL_FOR_PRIMITIVE = Pattern.compile("^Cannot map `null` into type `([^`]+)`.*", Pattern.DOTALL);
    /** Jackson's advice on which feature to switch: about its configuration, not about the input. */
    private static final Pattern ADVICE = Pattern.compile(
            "\\s*\\((?:but |set |through |although )[^()]*(?:\\([^()]*\\)[^()]*)*\\)|;?\\s*`?DeserializationFeature[^\\n]*$");

    private final ObjectReader treeReader;
    private final ObjectMapper mapper;
    private final ConcurrentHashMap<Class<?>, ObjectReader> readers = new ConcurrentHashMap<>();

    /** @param base the serializer's mapper; it is copied, never changed */
    StrictJson(ObjectMapper base) {
        mapper = base.copy();
        for (LogicalType type : LogicalType.values()) {
            MutableCoercionConfig config = mapper.coercionConfigFor(type);
            for (CoercionInputShape shape : CoercionInputShape.values()) {
                config.setCoercion(shape, CoercionAction.Fail);
            }
            config.setAcceptBlankAsEmpty(false);
        }
        mapper.coercionConfigDefaults().setAcceptBlankAsEmpty(false);
        // An integer for a floating-point or decimal value loses nothing: the one coercion kept.
        mapper.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.Integer, CoercionAction.TryConvert);
        SimpleModule timeAsText = new SimpleModule("rewind-strict-java-time");
        timeAsText.setDeserializerModifier(new TimeAsText());
        mapper.registerModule(timeAsText);
        treeReader = mapper.reader()
                .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS) // 2.70 stays 2.70 in the tree written back
                .without(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES);
    }

    /**
     * @param json UTF-8 bytes
     * @return the one JSON object they hold
     * @throws IllegalArgumentException when they hold anything else, a duplicate field, or content after the object
     */
    ObjectNode readTree(byte[] json) {
        try (JsonParser p = treeReader.createParser(json)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("expected a JSON object, found " + describe(first));
            }
            ObjectNode tree = (ObjectNode) treeReader.readTree(p);
            JsonToken after;
            try {
                after = p.nextToken();
            } catch (JsonParseException e) {
                throw new IllegalArgumentException("trailing content after the JSON object" + at(e.getLocation()), e);
            }
            if (after != null) {
                throw new IllegalArgumentException("trailing content after the JSON object" + at(p.currentTokenLocation()));
            }
            return tree;
        } catch (JsonProcessingException e) {
            String message = e.getOriginalMessage();
            Matcher duplicate = DUPLICATE.matcher(message);
            if (duplicate.matches()) {
                String where = e.getProcessor() instanceof JsonParser parser ? pathOf(parser.getParsingContext()) : "";
                throw new IllegalArgumentException("duplicate field '" + where + duplicate.group(1) + "'"
                        + at(e.getLocation()), e);
            }
            throw new IllegalArgumentException("not valid JSON: " + withoutAdvice(message) + at(e.getLocation()), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage(), e);
        }
    }

    /**
     * @param tree a JSON object
     * @param type the record class
     * @param <T> the record type
     * @return the bound record
     * @throws IllegalArgumentException naming the field and what is wrong with it
     */
    <T> T bind(ObjectNode tree, Class<T> type) {
        try {
            return readers.computeIfAbsent(type, t -> mapper.readerFor(t)
                    .without(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                    .with(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                    .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .with(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                    .with(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES))
                    .readValue(tree);
        } catch (JsonMappingException e) {
            throw new IllegalArgumentException(describe(e), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Says what was wrong with a value, naming its field (a path such as {@code lines[1].quantity}). */
    static String describe(JsonMappingException e) {
        String path = path(e);
        String field = path.isEmpty() ? "" : " for field '" + path + "'";
        if (e instanceof UnrecognizedPropertyException) {
            return "unknown field '" + path + "'";
        }
        String message = e.getOriginalMessage();
        Matcher m = COERCE.matcher(message);
        if (m.matches()) {
            return "cannot coerce " + m.group(1) + " to " + typeName(m.group(2)) + field;
        }
        m = OUT_OF_RANGE.matcher(message);
        if (m.matches()) {
            return m.group(1) + " is out of range of " + m.group(2) + field;
        }
        m = MISSING.matcher(message);
        if (m.matches()) {
            return "missing field '" + path + "'";
        }
        m = NUMBER_FOR_ENUM.matcher(message);
        if (m.matches()) {
            return "cannot coerce " + m.group(2) + " to " + typeName(m.group(1)) + field;
        }
        m = NULL_FOR_PRIMITIVE.matcher(message);
        if (m.matches()) {
            return "null is not a value of " + typeName(m.group(1)) + field;
        }
        String what = withoutAdvice(message);
        return Character.toLowerCase(what.charAt(0)) + what.substring(1) + field;
    }

    /** @return the path of the object {@code context} is in, ending in a dot ({@code lines[0].}), or "" at the top */
    private static String pathOf(JsonStreamContext context) {
        StringBuilder path = new StringBuilder();
        for (JsonStreamContext c = context.getParent(); c != null && !c.inRoot(); c = c.getParent()) {
            path.insert(0, c.inArray() ? "[" + c.getCurrentIndex() + "]" : "." + c.getCurrentName());
        }
        if (path.length() > 0 && path.charAt(0) == '.') {
            path.deleteCharAt(0);
        }
        return path.length() == 0 ? "" : path.append('.').toString();
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /** {@code java.lang.String} -> {@code String}, {@code a.b.Outer$Inner} -> {@code Inner}; primitives as they are. */
    private static String typeName(String className) {
        return className.substring(Math.max(className.lastIndexOf('.'), className.lastIndexOf('$')) + 1);
    }

    private static String withoutAdvice(String message) {
        return ADVICE.matcher(message).replaceAll("").strip();
    }

    private static String describe(JsonToken token) {
        if (token == null) {
            return "nothing";
        }
        return switch (token) {
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.toString();
        };
    }

    private static String at(JsonLocation location) {
        return location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /** Reads {@code java.time} values only from JSON strings, as the serializer writes them. */
    private static final class TimeAsText extends BeanDeserializerModifier {
        private static final long serialVersionUID = 1L;

        @Override
        public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription description,
                                                      JsonDeserializer<?> deserializer) {
            Class<?> type = description.getBeanClass();
            return "java.time".equals(type.getPackageName()) && !type.isEnum() ? new TextOnly(deserializer) : deserializer;
        }
    }

    /** A {@code java.time} deserializer that refuses numbers, arrays and epoch times written as digits. */
    private static final class TextOnly extends DelegatingDeserializer {
        private static final long serialVersionUID = 1L;

        TextOnly(JsonDeserializer<?> delegate) {
            super(delegate);
        }

        @Override
        protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> delegate) {
            return new TextOnly(delegate);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext context) throws IOException {
            Class<?> type = handledType();
            JsonToken token = p.currentToken();
            if (token != JsonToken.VALUE_STRING) {
                String value = token != null && token.isScalarValue() ? p.getText() : describe(token);
                throw MismatchedInputException.from(p, type, "Cannot coerce " + (token == null ? "no" : token.name())
                        + " value (" + value + ") to `" + type.getName() + "` value");
            }
            if (READ_DIGITS_AS_EPOCH.contains(type) && EPOCH_TEXT.matcher(p.getText().strip()).matches()) {
                throw MismatchedInputException.from(p, type, "Cannot coerce String value (\"" + p.getText() + "\") to `"
                        + type.getName() + "` value");
            }
            return super.deserialize(p, context);
        }
    }
}
