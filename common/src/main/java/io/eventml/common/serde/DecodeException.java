package io.eventml.common.serde;

/**
 * Thrown by field readers inside a codec and turned into a {@link Decoded.Invalid} by {@link
 * JsonCodec#decode}; it never leaves a codec.
 */
public final class DecodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ReasonCode reason;

    public DecodeException(ReasonCode reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public ReasonCode reason() {
        return reason;
    }
}
