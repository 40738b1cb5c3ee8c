package io.eventml.common.raw;

import io.eventml.common.serde.JsonCodec;
import io.eventml.common.serde.JsonFields;
import io.eventml.common.serde.JsonLimits;
import io.eventml.common.serde.ReasonCode;
import io.eventml.common.serde.TimeBounds;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;

/** JSON codec of {@code raw.clickstream}; see docs/events.md. */
public final class ClickstreamEventCodec extends JsonCodec<ClickstreamEvent> {
    private static final long serialVersionUID = 1L;

    /** Longest page path or referrer accepted. */
    public static final int MAX_PAGE_LENGTH = 2048;

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
        String page = f.requiredText("page");
        if (page.length() > MAX_PAGE_LENGTH) {
            throw f.invalid(
                    "page",
                    ReasonCode.INVALID_VALUE,
                    "is longer than " + MAX_PAGE_LENGTH + " characters");
        }
        String referrer = f.optionalText("referrer");
        if (referrer != null && referrer.length() > MAX_PAGE_LENGTH) {
            throw f.invalid(
                    "referrer",
                    ReasonCode.INVALID_VALUE,
                    "is longer than " + MAX_PAGE_LENGTH + " characters");
        }
        String device = f.optionalId("device");
        String storeId = f.optionalId("storeId");
        String category = f.optionalId("category");
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
