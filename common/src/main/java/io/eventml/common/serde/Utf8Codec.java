package io.eventml.common.serde;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/** Record keys: plain UTF-8 strings. Serializable, so a sink or source can hold it. */
final class Utf8Codec implements Codec<String>, Serializable {
    private static final long serialVersionUID = 1L;

    static final Utf8Codec INSTANCE = new Utf8Codec();

    private Utf8Codec() {}

    private Object readResolve() {
        return INSTANCE;
    }

    @Override
    public byte[] encode(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Decoded<String> decode(byte[] payload, Origin origin) {
        if (payload == null) {
            return Decoded.invalid(ReasonCode.EMPTY_PAYLOAD, "key is null", origin);
        }
        if (!Utf8.isValid(payload, 0, payload.length)) {
            return Decoded.invalid(ReasonCode.INVALID_ENCODING, "key is not valid UTF-8", origin);
        }
        return Decoded.valid(new String(payload, StandardCharsets.UTF_8));
    }
}
