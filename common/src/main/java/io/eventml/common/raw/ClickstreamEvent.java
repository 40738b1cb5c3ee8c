package io.eventml.common.raw;

import java.time.Instant;
import java.util.Objects;

/**
 * One record of {@code raw.clickstream}, as the web tracker sends it; times are ISO-8601 strings on
 * the wire.
 *
 * @param eventId the tracker's id of this hit
 * @param sessionId the browsing session
 * @param userId the signed-in user
 * @param action what the user did
 * @param itemId the item, required for product views and cart adds
 * @param page the page path
 * @param referrer the previous page, if known
 * @param device {@code desktop}, {@code mobile}, ... if known
 * @param storeId the store, for hits from in-store devices (kiosks, the store app)
 * @param timestamp when it happened
 * @param category the item's category, where the tracker knows it
 */
public record ClickstreamEvent(
        String eventId,
        String sessionId,
        String userId,
        ClickAction action,
        String itemId,
        String page,
        String referrer,
        String device,
        String storeId,
        Instant timestamp,
        String category) {

    public ClickstreamEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(page, "page");
        Objects.requireNonNull(timestamp, "timestamp");
        if (action.needsItem() && itemId == null) {
            throw new IllegalArgumentException(action.wireName() + " needs an itemId");
        }
    }
}
