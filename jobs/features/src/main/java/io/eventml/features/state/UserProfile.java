package io.eventml.features.state;

/**
 * The user's slow facts: the last purchase and the loyalty status. Kept 30 days after the user's
 * last event (the cap of hours-since-purchase), longer than the activity windows.
 */
public class UserProfile {
    /** Event time of the last purchase, or {@link Long#MIN_VALUE}. */
    public long lastPurchase = Long.MIN_VALUE;

    /** Loyalty tier rank (BRONZE 0 .. PLATINUM 3), or -1 while unknown. */
    public int tier = -1;

    /** Loyalty points balance. */
    public long points;

    /** Event time of the newest event applied. */
    public long lastEventTime = Long.MIN_VALUE;
}
