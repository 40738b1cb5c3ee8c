package io.eventml.common.serde;

import java.util.Objects;

/**
 * A typed decoding failure: the reason code, a message saying precisely what is wrong, and the
 * record's origin.
 */
public record DecodeError(ReasonCode reason, String message, Origin origin) {

    public DecodeError {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(origin, "origin");
    }

    @Override
    public String toString() {
        return reason + " at " + origin + ": " + message;
    }
}
