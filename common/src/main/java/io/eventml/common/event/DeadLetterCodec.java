package io.eventml.common.event;

import io.eventml.common.serde.JsonCodec;
import io.eventml.common.serde.JsonFields;
import io.eventml.common.serde.JsonLimits;
import io.eventml.common.serde.ReasonCode;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.Map;

/** JSON codec of {@link DeadLetter} on {@code events.dlq}; see docs/events.md. */
public final class DeadLetterCodec extends JsonCodec<DeadLetter> {
    private static final long serialVersionUID = 1L;

    private static final Map<String, EventSource> SOURCES =
            CanonicalEventCodec.byName(EventSource.values());
    private static final Map<String, ReasonCode> REASONS =
            CanonicalEventCodec.byName(ReasonCode.values());
    private static final Map<String, DeadLetter.PayloadEncoding> ENCODINGS =
            CanonicalEventCodec.byName(DeadLetter.PayloadEncoding.values());

    public DeadLetterCodec() {
        this(JsonLimits.DEFAULT);
    }

    public DeadLetterCodec(JsonLimits limits) {
        super(limits);
    }

    @Override
    protected DeadLetter read(JsonFields f) {
        return new DeadLetter(
                f.requiredInt("schemaVersion", 1, DeadLetter.SCHEMA_VERSION),
                f.requiredText("originTopic"),
                f.requiredInt("originPartition", -1, Integer.MAX_VALUE),
                f.requiredLong("originOffset", -1, Long.MAX_VALUE),
                f.has("source") ? f.requiredEnum("source", SOURCES) : null,
                f.requiredEnum("reason", REASONS),
                f.requiredText("message"),
                f.requiredText("payload"),
                f.requiredEnum("payloadEncoding", ENCODINGS),
                f.requiredInt("payloadBytes", 0, Integer.MAX_VALUE),
                f.requiredBoolean("payloadTruncated"),
                f.requiredLong("failedAt", 0, Long.MAX_VALUE));
    }

    @Override
    protected void write(DeadLetter d, JsonGenerator out) throws IOException {
        out.writeNumberField("schemaVersion", d.schemaVersion());
        out.writeStringField("originTopic", d.originTopic());
        out.writeNumberField("originPartition", d.originPartition());
        out.writeNumberField("originOffset", d.originOffset());
        if (d.source() != null) {
            out.writeStringField("source", d.source().name());
        }
        out.writeStringField("reason", d.reason().name());
        out.writeStringField("message", d.message());
        out.writeStringField("payload", d.payload());
        out.writeStringField("payloadEncoding", d.payloadEncoding().name());
        out.writeNumberField("payloadBytes", d.payloadBytes());
        out.writeBooleanField("payloadTruncated", d.payloadTruncated());
        out.writeNumberField("failedAt", d.failedAt());
    }
}
