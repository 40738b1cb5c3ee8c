package io.eventml.features;

import io.eventml.common.event.CanonicalEvent;

/**
 * A product view on its way through the keyed stages, collecting the parts of its features that
 * other keys own.
 *
 * @param view the decision event
 * @param itemViews1h the item's views in the last 12 five-minute buckets before the view
 * @param itemViews24h ... in the last 24 one-hour buckets
 * @param itemPurchases1h the item's purchases (order lines) in the last 12 five-minute buckets
 * @param itemPurchases24h ... in the last 24 one-hour buckets
 * @param storeFootfall15m footfall of the view's store in the last 15 one-minute buckets, 0 without
 *     a store
 * @param itemPrice the unit price of the item's newest purchase in its lifetime, NaN if none
 * @param itemLifetimeViews the item's views in its lifetime ({@link
 *     io.eventml.common.features.FeatureSpec#ITEM_LIFETIME_GAP_MILLIS})
 * @param itemLifetimePurchases ... its purchases (order lines)
 */
public record PendingVector(
        CanonicalEvent view,
        double itemViews1h,
        double itemViews24h,
        double itemPurchases1h,
        double itemPurchases24h,
        double storeFootfall15m,
        double itemPrice,
        double itemLifetimeViews,
        double itemLifetimePurchases) {

    /** A view with spec 1's item features only: no price, an empty lifetime. */
    public PendingVector(
            CanonicalEvent view,
            double itemViews1h,
            double itemViews24h,
            double itemPurchases1h,
            double itemPurchases24h,
            double storeFootfall15m) {
        this(
                view,
                itemViews1h,
                itemViews24h,
                itemPurchases1h,
                itemPurchases24h,
                storeFootfall15m,
                Double.NaN,
                0,
                0);
    }

    public PendingVector withFootfall(double footfall) {
        return new PendingVector(
                view,
                itemViews1h,
                itemViews24h,
                itemPurchases1h,
                itemPurchases24h,
                footfall,
                itemPrice,
                itemLifetimeViews,
                itemLifetimePurchases);
    }
}
