package io.eventml.common.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Typed, path-aware access to the fields of one JSON object. Every accessor either returns a value
 * of the right type and range or throws {@link DecodeException} naming the field by its full path
 * (for example {@code lines[2].qty}) and what was wrong with it. Unknown fields are ignored.
 */
public final class JsonFields {
    /** Ids and short names: anything longer is not an id. */
    public static final int MAX_ID_LENGTH = 128;

    private final ObjectNode node;
    private final String path;

    /** Shared by a record's top-level object and every object nested in it. */
    private final List<FieldRepair> repairs;

    JsonFields(ObjectNode node, String path) {
        this(node, path, new ArrayList<>(0));
    }

    private JsonFields(ObjectNode node, String path, List<FieldRepair> repairs) {
        this.node = node;
        this.path = path;
        this.repairs = repairs;
    }

    /** The optional descriptive fields of this record that were dropped or cut so far. */
    public List<FieldRepair> repairs() {
        return List.copyOf(repairs);
    }

    /** The field, or {@code null} when it is absent or JSON null. */
    private JsonNode optional(String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value;
    }

    private JsonNode required(String name) {
        JsonNode value = optional(name);
        if (value == null) {
            throw new DecodeException(
                    ReasonCode.MISSING_FIELD, "required field '" + pathOf(name) + "' is missing");
        }
        return value;
    }

    public boolean has(String name) {
        return optional(name) != null;
    }

    // ---- strings ----

    /** A non-blank string of at most {@link #MAX_ID_LENGTH} characters. */
    public String requiredId(String name) {
        return checkedId(name, required(name), MAX_ID_LENGTH);
    }

    /** A non-blank string of at most {@code maxLength} characters. */
    public String requiredId(String name, int maxLength) {
        return checkedId(name, required(name), maxLength);
    }

    /** Like {@link #requiredId} but {@code null} when absent. */
    public String optionalId(String name) {
        JsonNode value = optional(name);
        return value == null ? null : checkedId(name, value, MAX_ID_LENGTH);
    }

    private String checkedId(String name, JsonNode value, int maxLength) {
        String text = text(name, value);
        if (text.isBlank()) {
            throw new DecodeException(
                    ReasonCode.INVALID_VALUE, "field '" + pathOf(name) + "' must not be blank");
        }
        if (text.length() > maxLength) {
            throw new DecodeException(
                    ReasonCode.INVALID_VALUE,
                    "field '"
                            + pathOf(name)
                            + "' is "
                            + text.length()
                            + " characters, at most "
                            + maxLength
                            + " allowed");
        }
        return text;
    }

    /**
     * An optional descriptive string (a device, a referrer, a reason): {@code null} when absent or
     * blank, cut to {@code maxLength} characters when longer. Only a value that is not a string
     * fails the record; a blank or over-long one is noted in {@link #repairs()}.
     */
    public String optionalDescription(String name, int maxLength) {
        return descriptive(name, maxLength, true);
    }

    /**
     * A required descriptive string (a page path): must be present and not blank, cut to {@code
     * maxLength} characters when longer (noted in {@link #repairs()}).
     */
    public String requiredDescription(String name, int maxLength) {
        String text = text(name, required(name));
        if (text.isBlank()) {
            throw invalid(name, ReasonCode.INVALID_VALUE, "must not be blank");
        }
        return optionalDescription(name, maxLength);
    }

    /**
     * An optional tag (a category name): {@code null} when absent, blank or longer than {@code
     * maxLength} characters, each of the last two noted in {@link #repairs()}. A tag is not cut: a
     * cut tag would name another one.
     */
    public String optionalTag(String name, int maxLength) {
        return descriptive(name, maxLength, false);
    }

    private String descriptive(String name, int maxLength, boolean cut) {
        JsonNode value = optional(name);
        if (value == null) {
            return null;
        }
        String text = text(name, value);
        if (text.isBlank()) {
            repairs.add(new FieldRepair(pathOf(name), FieldRepair.Kind.BLANK_DROPPED));
            return null;
        }
        if (text.length() <= maxLength) {
            return text;
        }
        if (!cut) {
            repairs.add(new FieldRepair(pathOf(name), FieldRepair.Kind.TOO_LONG_DROPPED));
            return null;
        }
        repairs.add(new FieldRepair(pathOf(name), FieldRepair.Kind.CUT));
        int end = Character.isHighSurrogate(text.charAt(maxLength - 1)) ? maxLength - 1 : maxLength;
        return text.substring(0, end);
    }

    /** A string of any length within the parser's limits. */
    public String requiredText(String name) {
        return text(name, required(name));
    }

    private String text(String name, JsonNode value) {
        if (!value.isTextual()) {
            throw wrongType(name, "a string", value);
        }
        return value.textValue();
    }

    /** A string that must be one of the keys of {@code values} (the wire names). */
    public <E> E requiredEnum(String name, Map<String, E> values) {
        String text = text(name, required(name));
        E value = values.get(text);
        if (value == null) {
            throw new DecodeException(
                    ReasonCode.INVALID_VALUE,
                    "field '"
                            + pathOf(name)
                            + "' is '"
                            + abbreviate(text)
                            + "', expected one of "
                            + values.keySet());
        }
        return value;
    }

    // ---- numbers ----

    public boolean requiredBoolean(String name) {
        JsonNode value = required(name);
        if (!value.isBoolean()) {
            throw wrongType(name, "a boolean", value);
        }
        return value.booleanValue();
    }

    /** An integral number within {@code [min, max]}. */
    public long requiredLong(String name, long min, long max) {
        return checkedLong(name, required(name), min, max);
    }

    public int requiredInt(String name, int min, int max) {
        return (int) checkedLong(name, required(name), min, max);
    }

    private long checkedLong(String name, JsonNode value, long min, long max) {
        if (!value.isNumber()) {
            throw wrongType(name, "an integer", value);
        }
        if (!value.isIntegralNumber()) {
            throw wrongType(name, "an integer", value);
        }
        if (!value.canConvertToLong()) {
            throw outOfRange(name, value.asText(), min, max);
        }
        long v = value.longValue();
        if (v < min || v > max) {
            throw outOfRange(name, Long.toString(v), min, max);
        }
        return v;
    }

    /** A finite number (integral or not) within {@code [min, max]}. */
    public double requiredDouble(String name, double min, double max) {
        JsonNode value = required(name);
        if (!value.isNumber()) {
            throw wrongType(name, "a number", value);
        }
        double v = value.doubleValue();
        if (!Double.isFinite(v)) {
            throw new DecodeException(
                    ReasonCode.VALUE_OUT_OF_RANGE,
                    "field '"
                            + pathOf(name)
                            + "' must be a finite number, got "
                            + abbreviate(value.asText()));
        }
        if (v < min || v > max) {
            throw new DecodeException(
                    ReasonCode.VALUE_OUT_OF_RANGE,
                    "field '"
                            + pathOf(name)
                            + "' is "
                            + v
                            + ", allowed range ["
                            + min
                            + ", "
                            + max
                            + "]");
        }
        return v;
    }

    /**
     * Like {@link #requiredDouble} but {@link Double#NaN} when absent or JSON null: how a metric
     * that is not known yet travels (JSON has no NaN).
     */
    public double optionalDouble(String name, double min, double max) {
        return optional(name) == null ? Double.NaN : requiredDouble(name, min, max);
    }

    // ---- time ----

    /** The full path of a field of this object, for messages. */
    public String pathOf(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** An integral epoch-milliseconds timestamp within {@code bounds}. */
    public long requiredEpochMillis(String name, TimeBounds bounds) {
        JsonNode value = required(name);
        if (!value.isIntegralNumber()) {
            throw wrongType(name, "an integer (epoch milliseconds)", value);
        }
        if (!value.canConvertToLong()) {
            throw new DecodeException(
                    ReasonCode.TIMESTAMP_OUT_OF_RANGE,
                    "field '"
                            + pathOf(name)
                            + "' is "
                            + abbreviate(value.asText())
                            + ", not a timestamp");
        }
        return bounds.check(pathOf(name), value.longValue());
    }

    /** An integral epoch-seconds timestamp within {@code bounds}, returned in milliseconds. */
    public long requiredEpochSecondsAsMillis(String name, TimeBounds bounds) {
        JsonNode value = required(name);
        if (!value.isIntegralNumber()) {
            throw wrongType(name, "an integer (epoch seconds)", value);
        }
        long seconds = value.canConvertToLong() ? value.longValue() : Long.MAX_VALUE;
        if (Math.abs(seconds) > Long.MAX_VALUE / 1000) {
            throw new DecodeException(
                    ReasonCode.TIMESTAMP_OUT_OF_RANGE,
                    "field '"
                            + pathOf(name)
                            + "' is "
                            + abbreviate(value.asText())
                            + ", not a timestamp");
        }
        return bounds.check(pathOf(name), seconds * 1000);
    }

    /** An ISO-8601 timestamp within {@code bounds}, returned in epoch milliseconds. */
    public long requiredIsoMillis(String name, TimeBounds bounds) {
        return bounds.check(pathOf(name), toEpochMillis(requiredIsoInstant(name)));
    }

    private static long toEpochMillis(Instant instant) {
        try {
            return instant.toEpochMilli();
        } catch (ArithmeticException e) {
            return instant.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /**
     * An ISO-8601 timestamp with an offset ({@code 2026-11-24T10:15:30.123Z} or {@code ...+01:00}).
     */
    public Instant requiredIsoInstant(String name) {
        return requiredOffsetDateTime(name).toInstant();
    }

    /** An ISO-8601 timestamp with an offset within {@code bounds}, keeping its offset. */
    public OffsetDateTime requiredOffsetDateTime(String name, TimeBounds bounds) {
        OffsetDateTime time = requiredOffsetDateTime(name);
        bounds.check(pathOf(name), toEpochMillis(time.toInstant()));
        return time;
    }

    private OffsetDateTime requiredOffsetDateTime(String name) {
        String text = text(name, required(name));
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        } catch (DateTimeException e) {
            throw new DecodeException(
                    ReasonCode.TIMESTAMP_OUT_OF_RANGE,
                    "field '"
                            + pathOf(name)
                            + "' is '"
                            + abbreviate(text)
                            + "', expected an ISO-8601 timestamp with offset such as 2026-11-24T10:15:30Z");
        }
    }

    // ---- structure ----

    /**
     * The elements of an array of objects, each read by {@code reader}; at least {@code min}, at
     * most {@code max}.
     */
    public <E> List<E> requiredObjects(
            String name, int min, int max, Function<JsonFields, E> reader) {
        ArrayNode array = array(name, required(name), min, max);
        List<E> result = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            String elementPath = pathOf(name) + "[" + i + "]";
            JsonNode element = array.get(i);
            if (!(element instanceof ObjectNode object)) {
                throw new DecodeException(
                        ReasonCode.WRONG_TYPE,
                        "element '"
                                + elementPath
                                + "' must be an object, got "
                                + describe(element));
            }
            result.add(reader.apply(new JsonFields(object, elementPath, repairs)));
        }
        return result;
    }

    /** An array of finite numbers, at least {@code min}, at most {@code max}. */
    public double[] requiredDoubles(String name, int min, int max) {
        ArrayNode array = array(name, required(name), min, max);
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode element = array.get(i);
            if (!element.isNumber()) {
                throw wrongType(name + "[" + i + "]", "a number", element);
            }
            values[i] = element.doubleValue();
            if (!Double.isFinite(values[i])) {
                throw new DecodeException(
                        ReasonCode.VALUE_OUT_OF_RANGE,
                        "field '" + pathOf(name) + "[" + i + "]' must be a finite number");
            }
        }
        return values;
    }

    /** An optional array of ids; empty when absent. */
    public List<String> optionalIds(String name, int max) {
        JsonNode value = optional(name);
        if (value == null) {
            return List.of();
        }
        ArrayNode array = array(name, value, 0, max);
        List<String> result = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            result.add(checkedId(name + "[" + i + "]", array.get(i), MAX_ID_LENGTH));
        }
        return List.copyOf(result);
    }

    private ArrayNode array(String name, JsonNode value, int min, int max) {
        if (!(value instanceof ArrayNode array)) {
            throw wrongType(name, "an array", value);
        }
        if (array.size() < min || array.size() > max) {
            throw new DecodeException(
                    ReasonCode.INVALID_VALUE,
                    "field '"
                            + pathOf(name)
                            + "' has "
                            + array.size()
                            + " elements, expected "
                            + min
                            + " to "
                            + max);
        }
        return array;
    }

    /** An optional object whose values are all strings; empty when absent. */
    public Map<String, String> optionalStringMap(String name, int maxEntries, int maxValueLength) {
        JsonNode value = optional(name);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof ObjectNode object)) {
            throw wrongType(name, "an object", value);
        }
        if (object.size() > maxEntries) {
            throw new DecodeException(
                    ReasonCode.INVALID_VALUE,
                    "field '"
                            + pathOf(name)
                            + "' has "
                            + object.size()
                            + " entries, at most "
                            + maxEntries
                            + " allowed");
        }
        Map<String, String> result = new java.util.LinkedHashMap<>();
        var entries = object.fields();
        while (entries.hasNext()) {
            var entry = entries.next();
            String key = name + "." + entry.getKey();
            if (!entry.getValue().isTextual()) {
                throw wrongType(key, "a string", entry.getValue());
            }
            if (entry.getValue().textValue().length() > maxValueLength) {
                throw new DecodeException(
                        ReasonCode.INVALID_VALUE,
                        "field '"
                                + pathOf(key)
                                + "' is longer than "
                                + maxValueLength
                                + " characters");
            }
            result.put(entry.getKey(), entry.getValue().textValue());
        }
        return result;
    }

    // ---- errors ----

    /** Fails this record with a reason about one field. */
    public DecodeException invalid(String name, ReasonCode reason, String problem) {
        return new DecodeException(reason, "field '" + pathOf(name) + "' " + problem);
    }

    private DecodeException wrongType(String name, String expected, JsonNode actual) {
        return new DecodeException(
                ReasonCode.WRONG_TYPE,
                "field '" + pathOf(name) + "' must be " + expected + ", got " + describe(actual));
    }

    private DecodeException outOfRange(String name, String actual, long min, long max) {
        return new DecodeException(
                ReasonCode.VALUE_OUT_OF_RANGE,
                "field '"
                        + pathOf(name)
                        + "' is "
                        + abbreviate(actual)
                        + ", allowed range ["
                        + min
                        + ", "
                        + max
                        + "]");
    }

    static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "the string \"" + abbreviate(node.textValue()) + "\"";
            case NUMBER -> "the number " + abbreviate(node.asText());
            case BOOLEAN -> "the boolean " + node.asText();
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase();
        };
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }
}
