package io.eventml.common.serde;

/**
 * Turns values of one type into bytes on a Kafka topic and back. Decoding never throws; encoding
 * may.
 */
public interface Codec<T> {

    byte[] encode(T value);

    Decoded<T> decode(byte[] payload, Origin origin);

    default Decoded<T> decode(byte[] payload) {
        return decode(payload, Origin.UNKNOWN);
    }

    /** The UTF-8 string codec used for record keys. */
    static Codec<String> utf8() {
        return Utf8Codec.INSTANCE;
    }
}
