package io.eventml.features.state;

/**
 * The user's slow facts: the last purchase and the loyalty status. Kept 30 days after the user's
 * last event (the cap of hours-since-purchase), longer than the activity windows. Every field is
 * newest-event-time-wins, so events may be applied in any order.
 */
public class UserProfile {
    /** Event time of the last purchase, or {@link Long#MIN_VALUE}. */
    public long lastPurchase = Long.MIN_VALUE;

    /** Loyalty tier rank (BRONZE 0 .. PLATINUM 3), or -1 while unknown. */
    public int tier = -1;

    /** Loyalty points balance. */
    public long points;

    /** Event time of the loyalty update that set {@link #tier} and {@link #points}. */
    public long loyaltyTime = Long.MIN_VALUE;

    /** Its eventId: of two updates at the same time, the larger eventId wins. */
    public String loyaltyEventId = "";

    /** Event time of the newest event applied. */
    public long lastEventTime = Long.MIN_VALUE;

    /**
     * The settled frontier: every event before it has been folded into this state, none after it.
     * Views before it can no longer be scored.
     */
    public long settledBefore = Long.MIN_VALUE;

    /** A copy to apply recent events to without touching this one. */
    public UserProfile copy() {
        UserProfile c = new UserProfile();
        c.lastPurchase = lastPurchase;
        c.tier = tier;
        c.points = points;
        c.loyaltyTime = loyaltyTime;
        c.loyaltyEventId = loyaltyEventId;
        c.lastEventTime = lastEventTime;
        c.settledBefore = settledBefore;
        return c;
    }

    /** Takes a loyalty update unless a newer one (by time, then eventId) is already known. */
    public void loyalty(long time, String eventId, int tier, long points) {
        if (time > loyaltyTime || (time == loyaltyTime && eventId.compareTo(loyaltyEventId) > 0)) {
            this.loyaltyTime = time;
            this.loyaltyEventId = eventId;
            this.tier = tier;
            this.points = points;
        }
    }
}
