package io.eventml.common.raw;

import io.eventml.common.serde.JsonCodec;
import io.eventml.common.serde.JsonFields;
import io.eventml.common.serde.JsonLimits;
import io.eventml.common.serde.TimeBounds;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;

/** JSON codec of {@code raw.clickstream}; see docs/events.md. */
public final class ClickstreamEventCodec extends JsonCodec<ClickstreamEvent> {
    private static final long serialVersionUID = 1L;

    /** Longest page path or referrer kept; longer ones are cut. */
    public static final int MAX_PAGE_LENGTH = 2048;

    /** Longest device description kept; longer ones are cut. */
    public static final int MAX_DEVICE_LENGTH = 128;

    private static final Map<String, ClickAction> ACTIONS =
            WireEnums.byWireName(ClickAction.values(), ClickAction::wireName);

    private final TimeBounds timeBounds;

    public ClickstreamEventCodec() {
        this(JsonLimits.DEFAULT, TimeBounds.DEFAULT);
    }

    public ClickstreamEventCodec(JsonLimits limits, TimeBounds timeBounds) {
        super(limits);
        this.timeBounds = timeBounds;
    }

    @Override
    protected ClickstreamEvent read(JsonFields f) {
        String eventId = f.requiredId("eventId");
        String sessionId = f.requiredId("sessionId");
        String userId = f.requiredId("userId");
        ClickAction action = f.requiredEnum("action", ACTIONS);
        String itemId = action.needsItem() ? f.requiredId("itemId") : f.optionalId("itemId");
        String page = f.requiredDescription("page", MAX_PAGE_LENGTH);
        String referrer = f.optionalDescription("referrer", MAX_PAGE_LENGTH);
        String device = f.optionalDescription("device", MAX_DEVICE_LENGTH);
        String storeId = f.optionalId("storeId");
        String category = f.optionalTag("category", JsonFields.MAX_ID_LENGTH);
        long millis = f.requiredIsoMillis("timestamp", timeBounds);
        return new ClickstreamEvent(
                eventId,
                sessionId,
                userId,
                action,
                itemId,
                page,
                referrer,
                device,
                storeId,
                Instant.ofEpochMilli(millis),
                category);
    }

    @Override
    protected void write(ClickstreamEvent e, JsonGenerator out) throws IOException {
        out.writeStringField("eventId", e.eventId());
        out.writeStringField("sessionId", e.sessionId());
        out.writeStringField("userId", e.userId());
        out.writeStringField("action", e.action().wireName());
        writeOptional(out, "itemId", e.itemId());
        out.writeStringField("page", e.page());
        writeOptional(out, "referrer", e.referrer());
        writeOptional(out, "device", e.device());
        writeOptional(out, "storeId", e.storeId());
        writeOptional(out, "category", e.category());
        out.writeStringField("timestamp", e.timestamp().toString());
    }
}
