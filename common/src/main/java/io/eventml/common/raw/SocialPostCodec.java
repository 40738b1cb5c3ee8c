package io.eventml.common.raw;

import io.eventml.common.serde.JsonCodec;
import io.eventml.common.serde.JsonFields;
import io.eventml.common.serde.JsonLimits;
import io.eventml.common.serde.TimeBounds;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/** JSON codec of {@code raw.social}; see docs/events.md. */
public final class SocialPostCodec extends JsonCodec<SocialPost> {
    private static final long serialVersionUID = 1L;

    public static final int MAX_MENTIONS = 20;

    private final TimeBounds timeBounds;

    public SocialPostCodec() {
        this(JsonLimits.DEFAULT, TimeBounds.DEFAULT);
    }

    public SocialPostCodec(JsonLimits limits, TimeBounds timeBounds) {
        super(limits);
        this.timeBounds = timeBounds;
    }

    @Override
    protected SocialPost read(JsonFields f) {
        String postId = f.requiredId("postId");
        String handle = f.requiredId("handle");
        String userId = f.requiredId("userId");
        double sentiment = f.requiredDouble("sentiment", -1.0, 1.0);
        var mentions = f.optionalIds("mentions", MAX_MENTIONS);
        OffsetDateTime postedAt = f.requiredOffsetDateTime("postedAt", timeBounds);
        return new SocialPost(postId, handle, userId, sentiment, mentions, postedAt);
    }

    @Override
    protected void write(SocialPost e, JsonGenerator out) throws IOException {
        out.writeStringField("postId", e.postId());
        out.writeStringField("handle", e.handle());
        out.writeStringField("userId", e.userId());
        out.writeNumberField("sentiment", e.sentiment());
        out.writeArrayFieldStart("mentions");
        for (String item : e.mentions()) {
            out.writeString(item);
        }
        out.writeEndArray();
        out.writeStringField(
                "postedAt", e.postedAt().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    }
}
