package io.eventml.features.state;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.EventType;
import io.eventml.common.features.FeatureSpec;
import io.eventml.common.raw.LoyaltyTier;

/**
 * A recent event of a user, cut down to what the user's features need: kept in the user's {@code
 * recent} list until it is folded into the settled state.
 */
public class UserDelta {
    public long time;
    public EventType type;

    /** Spend of a purchase, sentiment of a post; 0 otherwise. */
    public double value;

    /** The item of a view, cart add or purchase; {@code null} otherwise. */
    public String itemId;

    /** The item category of a view, if it has one; {@code null} otherwise. */
    public String category;

    /** The quantity of a purchase line; 0 otherwise. */
    public long quantity;

    /** Loyalty updates only: the tier rank, the balance and the eventId (ties of time). */
    public int tier = -1;

    public long points;
    public String eventId;

    public UserDelta() {}

    /** Whether events of {@code type} move a feature of their user (page views do not). */
    public static boolean movesUserFeatures(EventType type) {
        return switch (type) {
            case PRODUCT_VIEW, CLICK, ADD_TO_CART, PURCHASE, SOCIAL_POST, LOYALTY_UPDATE -> true;
            default -> false;
        };
    }

    /** The delta of {@code e}, or {@code null} when its type moves no feature of the user. */
    public static UserDelta of(CanonicalEvent e) {
        if (!movesUserFeatures(e.type())) {
            return null;
        }
        UserDelta d = new UserDelta();
        d.time = e.eventTime();
        d.type = e.type();
        switch (e.type()) {
            case PRODUCT_VIEW -> {
                d.itemId = e.itemId();
                d.category = e.attributes().get("category");
            }
            case CLICK, ADD_TO_CART -> d.itemId = e.itemId();
            case PURCHASE -> {
                d.itemId = e.itemId();
                d.value = e.value();
                d.quantity = e.quantity();
            }
            case SOCIAL_POST -> d.value = e.value();
            case LOYALTY_UPDATE -> {
                d.tier = LoyaltyTier.valueOf(e.attributes().get("tier")).ordinal();
                d.points = Long.parseLong(e.attributes().get("balance"));
                d.eventId = e.eventId();
            }
            default -> {
                return null;
            }
        }
        return d;
    }

    /**
     * Applies this event to the user's activity and profile; the events applied together must come
     * in time order (the profile's lifetime restarts after a gap).
     */
    public void applyTo(UserState a, UserProfile p) {
        boolean lifetime = p.inLifetime(time);
        switch (type) {
            case PRODUCT_VIEW -> {
                a.add(time, UserState.VIEWS, 1);
                if (lifetime) {
                    p.lifetimeView(category);
                }
            }
            case CLICK -> a.add(time, UserState.CLICKS, 1);
            case ADD_TO_CART -> a.add(time, UserState.CART_ADDS, 1);
            case PURCHASE -> {
                a.add(time, UserState.PURCHASES, 1);
                a.add(time, UserState.SPEND, value);
                if (lifetime) {
                    p.lastPurchase = Math.max(p.lastPurchase, time);
                    p.lifetimePurchase(FeatureSpec.unitPrice(value, quantity));
                }
            }
            case LOYALTY_UPDATE -> {
                if (lifetime) {
                    p.loyalty(time, eventId, tier, points);
                }
            }
            case SOCIAL_POST -> {
                a.add(time, UserState.SENTIMENT_SUM, value);
                a.add(time, UserState.POSTS, 1);
            }
            default -> {}
        }
        a.lastEventTime = Math.max(a.lastEventTime, time);
        p.lastEventTime = Math.max(p.lastEventTime, time);
    }

    /** Whether this event changes the state of the user and {@link #itemId}. */
    public boolean touchesItem() {
        return itemId != null
                && (type == EventType.PRODUCT_VIEW
                        || type == EventType.ADD_TO_CART
                        || type == EventType.PURCHASE);
    }

    /** Applies this event to the state of the user and its item. */
    public void applyTo(UserItemState ui) {
        switch (type) {
            case PRODUCT_VIEW -> ui.view(time);
            case ADD_TO_CART -> ui.lastCartAdd = Math.max(ui.lastCartAdd, time);
            case PURCHASE -> ui.lastPurchase = Math.max(ui.lastPurchase, time);
            default -> {}
        }
        ui.lastEventTime = Math.max(ui.lastEventTime, time);
    }
}
