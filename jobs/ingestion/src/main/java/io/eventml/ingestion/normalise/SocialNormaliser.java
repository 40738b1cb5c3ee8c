package io.eventml.ingestion.normalise;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.CanonicalEventCodec;
import io.eventml.common.event.EventSource;
import io.eventml.common.event.EventType;
import io.eventml.common.raw.SocialPost;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A post becomes one {@link EventType#SOCIAL_POST}: value is the sentiment, the item is the first
 * mention (if any); the handle and the mentions (comma-separated, cut to the attribute limit at a
 * whole mention) travel as attributes.
 */
public final class SocialNormaliser implements Normaliser<SocialPost> {

    @Override
    public List<CanonicalEvent> normalise(SocialPost p, long ingestTime) {
        Map<String, String> attributes = new HashMap<>(4);
        attributes.put("handle", p.handle());
        if (!p.mentions().isEmpty()) {
            attributes.put(
                    "mentions", joinWithin(p.mentions(), CanonicalEventCodec.MAX_ATTRIBUTE_LENGTH));
        }
        return List.of(
                new CanonicalEvent(
                        CanonicalEvent.SCHEMA_VERSION,
                        "social:" + p.postId(),
                        EventType.SOCIAL_POST,
                        EventSource.SOCIAL,
                        p.userId(),
                        p.mentions().isEmpty() ? null : p.mentions().get(0),
                        null,
                        p.postedAt().toInstant().toEpochMilli(),
                        ingestTime,
                        p.sentiment(),
                        0,
                        attributes));
    }

    static String joinWithin(List<String> values, int maxLength) {
        StringBuilder sb = new StringBuilder();
        for (String v : values) {
            int needed = sb.length() == 0 ? v.length() : sb.length() + 1 + v.length();
            if (needed > maxLength) {
                break;
            }
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(v);
        }
        return sb.toString();
    }
}
