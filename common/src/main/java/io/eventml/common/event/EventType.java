package io.eventml.common.event;

/**
 * What happened. The constant name is the wire value of {@link CanonicalEvent#type()}; constants
 * are only ever added, never renamed or removed.
 */
public enum EventType {
    /** A non-product page was viewed (home, category, search). */
    PAGE_VIEW,
    /** A product page was viewed: the decision event that features and predictions are made for. */
    PRODUCT_VIEW,
    /** A click on an element, usually an item tile. */
    CLICK,
    /** An item was added to the cart. */
    ADD_TO_CART,
    /**
     * One line of an order: the user bought {@code quantity} of the item for {@code value} in
     * total.
     */
    PURCHASE,
    /** Loyalty points changed; {@code value} is the delta, the tier is an attribute. */
    LOYALTY_UPDATE,
    /** A social post by the user; {@code value} is its sentiment in [-1, 1]. */
    SOCIAL_POST,
    /** A store sensor reading; {@code value} is the reading, the metric is an attribute. */
    SENSOR_READING;

    /**
     * Whether an event of this type belongs to a user (all but sensor readings, which belong to a
     * store).
     */
    public boolean hasUser() {
        return this != SENSOR_READING;
    }
}
