package io.eventml.common.serde;

/**
 * Why a record was rejected. The name is the wire value in {@code events.dlq} and the tag of the
 * DLQ metrics, so constants are only ever added, never renamed.
 */
public enum ReasonCode {
    /** Zero bytes, or only whitespace. */
    EMPTY_PAYLOAD,
    /** Larger than the configured payload limit; not parsed at all. */
    OVERSIZED_PAYLOAD,
    /** Not valid UTF-8. */
    INVALID_ENCODING,
    /** Not JSON: a syntax error, truncated input, NaN/Infinity literals, trailing garbage. */
    MALFORMED_JSON,
    /** Valid JSON that exceeds a read limit: nesting depth, string, number or name length. */
    LIMIT_EXCEEDED,
    /** JSON, but not an object where an object belongs (an array, a string, a number). */
    NOT_AN_OBJECT,
    /** A required field is absent or null. */
    MISSING_FIELD,
    /**
     * A field has the wrong JSON type (a string where a number belongs, a float where an integer
     * belongs).
     */
    WRONG_TYPE,
    /**
     * A number outside its allowed range: negative quantities or prices, huge or non-finite values.
     */
    VALUE_OUT_OF_RANGE,
    /**
     * A value of the right type that is not allowed: an unknown enum name, a blank id, a bad
     * currency code.
     */
    INVALID_VALUE,
    /** An event time that cannot be parsed or lies too far in the past or the future. */
    TIMESTAMP_OUT_OF_RANGE,
    /** A schema version this build does not understand. */
    UNSUPPORTED_VERSION,
    /**
     * A valid product view that reached the feature job further behind the watermark than its
     * allowed lateness: its features as of its time are no longer known, so it got no vector.
     */
    LATE_VIEW
}
