package io.eventml.common.serde;

import java.util.Objects;

/**
 * A change decoding made to an optional descriptive field instead of rejecting its record: such a
 * field never costs an event (docs/events.md says which fields are descriptive and their limits).
 *
 * @param field the field's path, for example {@code device}
 * @param kind what was done to it
 */
public record FieldRepair(String field, Kind kind) {

    /** What decoding did to the field. */
    public enum Kind {
        /** Blank (empty or whitespace only): dropped, as if absent. */
        BLANK_DROPPED,
        /** Longer than its limit: cut to the limit, on a character boundary. */
        CUT,
        /** A name or tag longer than its limit: dropped, since a cut one would be another name. */
        TOO_LONG_DROPPED
    }

    public FieldRepair {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(kind, "kind");
    }
}
