package io.eventml.common.raw;

/** Loyalty tiers, lowest first; upper-case on the wire. The ordinal is the tier's rank. */
public enum LoyaltyTier {
    BRONZE,
    SILVER,
    GOLD,
    PLATINUM
}
