package io.eventml.common.raw;

import java.util.Objects;

/**
 * One record of {@code raw.loyalty}: a change of a member's points. The loyalty system sends no id
 * of its own, so ingestion derives one from the content. {@code ts} is epoch milliseconds on the
 * wire.
 *
 * @param memberId the member, who is a user
 * @param tier the member's tier after this change
 * @param pointsDelta points earned (positive) or redeemed (negative)
 * @param balance the points balance after this change
 * @param reason why, e.g. {@code purchase}, {@code redeem}, {@code bonus}; may be absent
 * @param ts when, epoch milliseconds
 */
public record LoyaltyEvent(
        String memberId, LoyaltyTier tier, long pointsDelta, long balance, String reason, long ts) {

    public LoyaltyEvent {
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(tier, "tier");
    }
}
