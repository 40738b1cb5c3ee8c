package io.eventml.generator;

import io.eventml.common.raw.LoyaltyTier;

import java.util.SplittableRandom;

/**
 * The population of the simulated world: users with latent traits, items with categories, prices
 * and quality, stores with footfall. Everything is drawn once from the seed. {@link
 * #purchaseProbability} is the ground truth the learning job tries to recover; docs/generator.md
 * states it.
 */
public final class RetailWorld {
    /** Price around which price sensitivity neither helps nor hurts, in EUR. */
    static final double REFERENCE_PRICE = 30.0;

    // Coefficients of the true purchase model (logit scale); see docs/generator.md.
    static final double INTERCEPT = -4.0;
    static final double W_QUALITY = 1.2;
    static final double W_FAVOURITE_CATEGORY = 1.0;
    static final double W_PRICE_SENSITIVITY = -1.5;
    static final double W_TIER = 0.4;
    static final double W_MOOD = 0.6;
    static final double W_IN_STORE = 0.8;

    /**
     * Once the world has shifted ({@code --shift-after}): in-store sessions convert worse than
     * online ones, and every purchase is about half as likely (a competitor opened next door).
     */
    static final double W_IN_STORE_SHIFTED = -1.2;

    static final double INTERCEPT_SHIFTED = INTERCEPT - 0.7;

    /** Sessions in a store (kiosk, store app), before and after the shift. */
    static final double IN_STORE_SHARE = 0.15;

    /**
     * Once the world has shifted, the stores draw three times as many sessions (the shop floor was
     * rebuilt around kiosks): a change in what the model sees, beside the change in what it means.
     */
    static final double IN_STORE_SHARE_SHIFTED = 0.45;

    static final double W_REPEAT_VIEW = 0.5;

    private final int users;
    private final int items;
    private final int stores;
    private final int categories;

    final double[] engagement;
    final double[] priceSensitivity;
    final double[] mood;
    final int[] favouriteCategory;
    final LoyaltyTier[] tier;
    final long[] pointsBase;
    final int[] homeStore;

    final double[] price;
    final double[] quality;

    final double[] footfallPerReading;

    public RetailWorld(long seed, int users, int items, int stores, int categories) {
        this.users = users;
        this.items = items;
        this.stores = stores;
        this.categories = categories;
        engagement = new double[users];
        priceSensitivity = new double[users];
        mood = new double[users];
        favouriteCategory = new int[users];
        tier = new LoyaltyTier[users];
        pointsBase = new long[users];
        homeStore = new int[users];
        for (int u = 0; u < users; u++) {
            SplittableRandom r = Seeds.random(seed, Seeds.USER, u);
            engagement[u] = 0.2 + 0.8 * r.nextDouble();
            priceSensitivity[u] = r.nextDouble();
            mood[u] = Seeds.gaussian(r);
            favouriteCategory[u] = r.nextInt(categories);
            double loyalty = r.nextDouble();
            tier[u] =
                    loyalty < 0.5
                            ? LoyaltyTier.BRONZE
                            : loyalty < 0.8
                                    ? LoyaltyTier.SILVER
                                    : loyalty < 0.95 ? LoyaltyTier.GOLD : LoyaltyTier.PLATINUM;
            pointsBase[u] = (long) (loyalty * 20_000);
            homeStore[u] = r.nextInt(stores);
        }
        price = new double[items];
        quality = new double[items];
        for (int i = 0; i < items; i++) {
            SplittableRandom r = Seeds.random(seed, Seeds.ITEM, i);
            // Log-normal prices around 30 EUR, rounded to cents.
            price[i] =
                    Math.round(REFERENCE_PRICE * Math.exp(0.7 * Seeds.gaussian(r)) * 100) / 100.0;
            quality[i] = Seeds.gaussian(r);
        }
        footfallPerReading = new double[stores];
        for (int s = 0; s < stores; s++) {
            footfallPerReading[s] = 5 + 20 * Seeds.random(seed, Seeds.STORE, s).nextDouble();
        }
    }

    public int users() {
        return users;
    }

    public int items() {
        return items;
    }

    public int stores() {
        return stores;
    }

    public int categories() {
        return categories;
    }

    public int categoryOf(int item) {
        return item % categories;
    }

    public static String userId(int u) {
        return "u-" + u;
    }

    public static String handle(int u) {
        return "@shopper" + u;
    }

    public static String sku(int item) {
        return String.format("sku-%05d", item);
    }

    public static String storeId(int s) {
        return "store-" + s;
    }

    /**
     * The true probability that user {@code u} buys {@code item} after viewing it: a logistic model
     * of the item's quality, whether it is in the user's favourite category, its price against the
     * user's price sensitivity, the user's loyalty tier and mood, whether the session is in a
     * store, and how often the user viewed the item in this session.
     */
    public double purchaseProbability(int u, int item, boolean inStore, int viewsOfItem) {
        return purchaseProbability(u, item, inStore, viewsOfItem, false);
    }

    /**
     * As {@link #purchaseProbability(int, int, boolean, int)}, in the shifted world if {@code
     * shifted}: in-store sessions then convert worse than online ones instead of better, and every
     * purchase is about half as likely.
     */
    public double purchaseProbability(
            int u, int item, boolean inStore, int viewsOfItem, boolean shifted) {
        double z =
                (shifted ? INTERCEPT_SHIFTED : INTERCEPT)
                        + W_QUALITY * quality[item]
                        + W_FAVOURITE_CATEGORY * (categoryOf(item) == favouriteCategory[u] ? 1 : 0)
                        + W_PRICE_SENSITIVITY
                                * priceSensitivity[u]
                                * Math.log(price[item] / REFERENCE_PRICE)
                        + W_TIER * tier[u].ordinal()
                        + W_MOOD * mood[u]
                        + (shifted ? W_IN_STORE_SHIFTED : W_IN_STORE) * (inStore ? 1 : 0)
                        + W_REPEAT_VIEW * (viewsOfItem - 1);
        return 1.0 / (1.0 + Math.exp(-z));
    }
}
