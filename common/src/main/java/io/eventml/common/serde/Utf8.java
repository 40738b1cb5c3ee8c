package io.eventml.common.serde;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 checks without allocating for the common all-ASCII case. */
public final class Utf8 {
    private Utf8() {}

    /**
     * Whether {@code bytes[from, from+length)} is well-formed UTF-8 (no overlongs, no surrogates).
     */
    public static boolean isValid(byte[] bytes, int from, int length) {
        int end = from + length;
        int i = from;
        while (i < end && bytes[i] >= 0) {
            i++;
        }
        if (i == end) {
            return true;
        }
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, i, end - i));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /**
     * The longest prefix of at most {@code maxBytes} bytes of valid UTF-8 {@code bytes} that does
     * not cut a multi-byte character in half.
     */
    public static int prefixLength(byte[] bytes, int maxBytes) {
        if (bytes.length <= maxBytes) {
            return bytes.length;
        }
        int end = maxBytes;
        // Step back over continuation bytes (10xxxxxx) so the cut lands on a character boundary.
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return end;
    }
}
