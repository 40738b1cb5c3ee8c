package io.eventml.common.serde;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Base of every JSON codec: checks size, encoding and syntax under {@link JsonLimits}, then hands
 * the top-level object to {@link #read(JsonFields)}. Every way a record can be bad ends as a {@link
 * Decoded.Invalid} with a {@link ReasonCode}; nothing is thrown to the caller.
 *
 * <p>Codecs are serializable so Flink functions can hold them; the Jackson mapper is rebuilt after
 * deserialization.
 */
public abstract class JsonCodec<T> implements Codec<T>, Serializable {
    private static final long serialVersionUID = 1L;

    private final JsonLimits limits;
    private transient ObjectMapper mapper;

    protected JsonCodec(JsonLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public JsonLimits limits() {
        return limits;
    }

    /** Reads the value from its top-level object; throws {@link DecodeException} on bad fields. */
    protected abstract T read(JsonFields fields);

    /** Writes the value's fields into an already opened object. */
    protected abstract void write(T value, JsonGenerator out) throws IOException;

    @Override
    public final byte[] encode(T value) {
        Objects.requireNonNull(value, "value");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator out = mapper().getFactory().createGenerator(bytes)) {
            out.writeStartObject();
            write(value, out);
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + value, e);
        }
        return bytes.toByteArray();
    }

    @Override
    public final Decoded<T> decode(byte[] payload, Origin origin) {
        Objects.requireNonNull(origin, "origin");
        try {
            JsonFields fields = parseObject(payload);
            T value = read(fields);
            return Decoded.valid(value, fields.repairs());
        } catch (DecodeException e) {
            return Decoded.invalid(e.reason(), e.getMessage(), origin);
        }
    }

    /** Parses an untrusted payload into its top-level object, or throws {@link DecodeException}. */
    protected final JsonFields parseObject(byte[] payload) {
        if (payload == null || isBlank(payload)) {
            throw new DecodeException(ReasonCode.EMPTY_PAYLOAD, "payload is empty");
        }
        if (payload.length > limits.maxPayloadBytes()) {
            throw new DecodeException(
                    ReasonCode.OVERSIZED_PAYLOAD,
                    "payload is "
                            + payload.length
                            + " bytes, the limit is "
                            + limits.maxPayloadBytes());
        }
        if (!Utf8.isValid(payload, 0, payload.length)) {
            throw new DecodeException(ReasonCode.INVALID_ENCODING, "payload is not valid UTF-8");
        }
        JsonNode root;
        try {
            root = mapper().readTree(payload);
        } catch (StreamConstraintsException e) {
            throw new DecodeException(ReasonCode.LIMIT_EXCEEDED, e.getOriginalMessage());
        } catch (JsonEOFException e) {
            throw new DecodeException(
                    ReasonCode.MALFORMED_JSON, "truncated JSON: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new DecodeException(
                    ReasonCode.MALFORMED_JSON, e.getOriginalMessage() + locationOf(e));
        } catch (IOException e) {
            throw new DecodeException(ReasonCode.MALFORMED_JSON, String.valueOf(e.getMessage()));
        }
        if (!(root instanceof ObjectNode object)) {
            throw new DecodeException(
                    ReasonCode.NOT_AN_OBJECT,
                    "expected a JSON object, got " + JsonFields.describe(root));
        }
        return new JsonFields(object, "");
    }

    private ObjectMapper mapper() {
        if (mapper == null) {
            mapper = limits.newMapper();
        }
        return mapper;
    }

    private static String locationOf(JsonProcessingException e) {
        return e.getLocation() == null
                ? ""
                : " (line "
                        + e.getLocation().getLineNr()
                        + ", column "
                        + e.getLocation().getColumnNr()
                        + ")";
    }

    private static boolean isBlank(byte[] payload) {
        for (byte b : payload) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    // ---- helpers for write() ----

    protected static void writeOptional(JsonGenerator out, String name, String value)
            throws IOException {
        if (value != null) {
            out.writeStringField(name, value);
        }
    }
}
