package io.eventml.common.serde;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.Serializable;

/**
 * Read limits for untrusted JSON, so that a hostile record cannot exhaust memory or stack: the
 * payload is checked against {@link #maxPayloadBytes} before parsing, the rest are enforced by
 * Jackson's {@link StreamReadConstraints} while parsing.
 *
 * @param maxPayloadBytes largest record accepted; larger ones are rejected unparsed
 * @param maxNestingDepth deepest nesting of objects and arrays
 * @param maxStringLength longest string value, in characters
 * @param maxNumberLength longest number literal, in characters
 * @param maxNameLength longest field name, in characters
 */
public record JsonLimits(
        int maxPayloadBytes,
        int maxNestingDepth,
        int maxStringLength,
        int maxNumberLength,
        int maxNameLength)
        implements Serializable {

    /**
     * Defaults for retail events: 64 KiB records, depth 16, 16 Ki-char strings, 64-char numbers.
     */
    public static final JsonLimits DEFAULT = new JsonLimits(64 * 1024, 16, 16 * 1024, 64, 256);

    public JsonLimits {
        requirePositive("maxPayloadBytes", maxPayloadBytes);
        requirePositive("maxNestingDepth", maxNestingDepth);
        requirePositive("maxStringLength", maxStringLength);
        requirePositive("maxNumberLength", maxNumberLength);
        requirePositive("maxNameLength", maxNameLength);
    }

    /**
     * A strict mapper: limits enforced, duplicate keys and trailing tokens rejected, NaN literals
     * rejected.
     */
    public ObjectMapper newMapper() {
        JsonFactory factory =
                JsonFactory.builder()
                        .streamReadConstraints(
                                StreamReadConstraints.builder()
                                        .maxDocumentLength(maxPayloadBytes)
                                        .maxNestingDepth(maxNestingDepth)
                                        .maxStringLength(maxStringLength)
                                        .maxNumberLength(maxNumberLength)
                                        .maxNameLength(maxNameLength)
                                        .build())
                        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                        // Same values as the JDK's, parsed and written several times faster.
                        .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                        .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
                        .build();
        return JsonMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
