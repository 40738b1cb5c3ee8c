package io.eventml.ingestion.normalise;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Content-derived ids for sources that send none (loyalty, sensors): SHA-256 over the decoded
 * fields, so the same content gets the same id however the JSON was spelled (field order,
 * whitespace, number format).
 */
final class ContentHash {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** Hex digits kept: 128 bits, far beyond any chance collision. */
    static final int HEX_DIGITS = 32;

    private final MessageDigest sha256;

    ContentHash() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** {@code h} followed by 32 hex digits of the SHA-256 of the fields, separated by NUL. */
    String of(Object... fields) {
        sha256.reset();
        for (Object field : fields) {
            sha256.update(String.valueOf(field).getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) 0);
        }
        byte[] digest = sha256.digest();
        char[] out = new char[1 + HEX_DIGITS];
        out[0] = 'h';
        for (int i = 0; i < HEX_DIGITS / 2; i++) {
            out[1 + 2 * i] = HEX[(digest[i] >> 4) & 0xF];
            out[2 + 2 * i] = HEX[digest[i] & 0xF];
        }
        return new String(out);
    }
}
