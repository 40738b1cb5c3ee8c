package io.eventml.common.raw;

import io.eventml.common.serde.JsonCodec;
import io.eventml.common.serde.JsonFields;
import io.eventml.common.serde.JsonLimits;
import io.eventml.common.serde.TimeBounds;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.Map;

/** JSON codec of {@code raw.loyalty}; see docs/events.md. */
public final class LoyaltyEventCodec extends JsonCodec<LoyaltyEvent> {
    private static final long serialVersionUID = 1L;

    public static final long MAX_ABS_POINTS_DELTA = 1_000_000_000L;
    public static final long MAX_BALANCE = 1_000_000_000_000L;

    /** Longest reason kept; longer ones are cut. */
    public static final int MAX_REASON_LENGTH = 128;

    private static final Map<String, LoyaltyTier> TIERS =
            WireEnums.byWireName(LoyaltyTier.values(), LoyaltyTier::name);

    private final TimeBounds timeBounds;

    public LoyaltyEventCodec() {
        this(JsonLimits.DEFAULT, TimeBounds.DEFAULT);
    }

    public LoyaltyEventCodec(JsonLimits limits, TimeBounds timeBounds) {
        super(limits);
        this.timeBounds = timeBounds;
    }

    @Override
    protected LoyaltyEvent read(JsonFields f) {
        return new LoyaltyEvent(
                f.requiredId("memberId"),
                f.requiredEnum("tier", TIERS),
                f.requiredLong("pointsDelta", -MAX_ABS_POINTS_DELTA, MAX_ABS_POINTS_DELTA),
                f.requiredLong("balance", 0, MAX_BALANCE),
                f.optionalDescription("reason", MAX_REASON_LENGTH),
                f.requiredEpochMillis("ts", timeBounds));
    }

    @Override
    protected void write(LoyaltyEvent e, JsonGenerator out) throws IOException {
        out.writeStringField("memberId", e.memberId());
        out.writeStringField("tier", e.tier().name());
        out.writeNumberField("pointsDelta", e.pointsDelta());
        out.writeNumberField("balance", e.balance());
        writeOptional(out, "reason", e.reason());
        out.writeNumberField("ts", e.ts());
    }
}
