package io.eventml.features;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.features.FeatureSpec;
import io.eventml.features.state.UserDelta;
import io.eventml.features.state.UserItemState;
import io.eventml.features.state.UserProfile;
import io.eventml.features.state.UserState;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.eventml.features.Events.HOUR;
import static io.eventml.features.Events.MINUTE;
import static io.eventml.features.Events.T;
import static io.eventml.features.Events.cartAdd;
import static io.eventml.features.Events.click;
import static io.eventml.features.Events.loyalty;
import static io.eventml.features.Events.post;
import static io.eventml.features.Events.purchase;
import static io.eventml.features.Events.view;
import static org.assertj.core.api.Assertions.assertThat;

/** The user's features from values alone: what settling recent events may and may not change. */
class UserFeaturesTest {

    /** A user's history of 300 events over 30 hours, in random order of arrival. */
    private static List<UserDelta> history(long seed) {
        Random random = new Random(seed);
        List<UserDelta> deltas = new ArrayList<>();
        String[] tiers = {"BRONZE", "SILVER", "GOLD"};
        for (int i = 0; i < 300; i++) {
            long time = T + (long) (random.nextDouble() * 30 * HOUR);
            String item = "sku-" + random.nextInt(4);
            CanonicalEvent e =
                    switch (random.nextInt(6)) {
                        case 0 -> view("e" + i, "u-1", item, time);
                        case 1 -> click("e" + i, "u-1", item, time);
                        case 2 -> cartAdd("e" + i, "u-1", item, time);
                        case 3 -> purchase("e" + i, "u-1", item, time, 5 + random.nextInt(50));
                        case 4 -> loyalty("e" + i, "u-1", time, tiers[random.nextInt(3)], i * 10L);
                        default -> post("e" + i, "u-1", time, random.nextDouble() * 2 - 1);
                    };
            deltas.add(UserDelta.of(e));
        }
        return deltas;
    }

    private static PendingVector pending(String item, long time) {
        return new PendingVector(view("v", "u-1", item, time), 3, 40, 1, 4, 2);
    }

    /**
     * What the function does at a fold: the events before a frontier applied to the settled state,
     * the rest kept as recent. Every later view must get the vector it would have got from all the
     * events as recent ones.
     */
    @Test
    void settlingEventsBeforeTheFrontierChangesNoLaterVector() {
        for (long seed = 1; seed <= 20; seed++) {
            List<UserDelta> all = history(seed);
            long frontier = T + 20 * HOUR + seed * MINUTE;
            UserFeatures.Split split = UserFeatures.split(all, frontier);
            assertThat(split.settle().size() + split.keep().size()).isEqualTo(all.size());
            assertThat(split.settle()).allMatch(d -> d.time < frontier);
            assertThat(split.keep()).allMatch(d -> d.time >= frontier);

            for (String item : List.of("sku-0", "sku-3")) {
                UserState a = new UserState();
                UserProfile p = new UserProfile();
                UserItemState ui = new UserItemState();
                for (UserDelta d : split.settle()) {
                    d.applyTo(a, p);
                    if (d.touchesItem() && d.itemId.equals(item)) {
                        d.applyTo(ui);
                    }
                }
                for (long t = frontier; t < T + 31 * HOUR; t += 17 * MINUTE) {
                    PendingVector view = pending(item, t);
                    assertThat(UserFeatures.asOf(view, a, p, ui, split.keep()))
                            .as(
                                    "seed %d, item %s, view at frontier + %d ms",
                                    seed, item, t - frontier)
                            // Sums of log prices may differ in their last bits with the order.
                            .containsExactly(
                                    UserFeatures.asOf(view, null, null, null, all), within);
                }
            }
        }
    }

    @Test
    void aViewSeesOnlyEventsStrictlyBeforeItAndLeavesTheSettledStateAsItWas() {
        List<UserDelta> all = history(7);
        long t = T + 12 * HOUR;
        List<UserDelta> before = all.stream().filter(d -> d.time < t).toList();
        List<UserDelta> atOrAfter = new ArrayList<>(all.stream().filter(d -> d.time >= t).toList());
        atOrAfter.add(UserDelta.of(purchase("same-ms", "u-1", "sku-0", t, 99)));
        PendingVector view = pending("sku-0", t);

        UserState a = new UserState();
        UserProfile p = new UserProfile();
        for (UserDelta d : before.subList(0, before.size() / 2)) {
            d.applyTo(a, p);
        }
        UserState copyOfA = a.copy();
        UserProfile copyOfP = p.copy();
        double[] withLater =
                UserFeatures.asOf(
                        view,
                        a,
                        p,
                        null,
                        concat(before.subList(before.size() / 2, before.size()), atOrAfter));
        double[] without =
                UserFeatures.asOf(
                        view, a, p, null, before.subList(before.size() / 2, before.size()));

        assertThat(withLater).containsExactly(without);
        assertThat(UserFeatures.asOf(view, a, p, null, List.of()))
                .as("the settled state did not take in the recent events")
                .containsExactly(UserFeatures.asOf(view, copyOfA, copyOfP, null, List.of()));
        assertThat(without[FeatureSpec.USER_NEVER_PURCHASED]).isZero();
        assertThat(without[FeatureSpec.BIAS]).isEqualTo(1);
    }

    /**
     * Spec 2's user lifetime: views per category, the mean log price of the lines bought (shrunk by
     * one line of price 30), the conversion; all of it gone for a view 30 days after the user's
     * last event, and a new lifetime from the next event on.
     */
    @Test
    void theUsersCategoriesAndPricesCountOverALifetimeThatRestartsAfterAMonth() {
        long month = FeatureSpec.USER_LIFETIME_GAP_MILLIS;
        List<UserDelta> deltas =
                new ArrayList<>(
                        List.of(
                                UserDelta.of(view("e1", "u-1", "sku-1", T, "cat-1")),
                                UserDelta.of(view("e2", "u-1", "sku-2", T + MINUTE, "cat-2")),
                                UserDelta.of(view("e3", "u-1", "sku-1", T + 2 * MINUTE, "cat-1")),
                                UserDelta.of(purchase("e4", "u-1", "sku-1", T + 4 * MINUTE, 60)),
                                UserDelta.of(purchase("e5", "u-1", "sku-2", T + 5 * MINUTE, 30))));
        java.util.Collections.reverse(deltas);

        double[] cat1 = UserFeatures.asOf(at("cat-1", T + 10 * MINUTE), null, null, null, deltas);
        assertThat(cat1[FeatureSpec.USER_CATEGORY_SHARE]).isEqualTo(2 / 3.0);
        assertThat(cat1[FeatureSpec.USER_TOP_CATEGORY]).isEqualTo(1);
        assertThat(cat1[FeatureSpec.USER_BOUGHT_LOG_PRICE]).isCloseTo(Math.log(2) / 3, within);
        assertThat(cat1[FeatureSpec.USER_PRICE_AFFINITY])
                .isCloseTo(Math.log(2) / 3 * Math.log(45 / 30.0), within);
        assertThat(cat1[FeatureSpec.USER_LOG_CONVERSION]).isCloseTo(Math.log(3 / 13.0), within);
        assertThat(cat1[FeatureSpec.ITEM_LOG_PRICE]).isCloseTo(Math.log(1.5), within);
        assertThat(cat1[FeatureSpec.ITEM_PRICE_KNOWN]).isEqualTo(1);
        assertThat(cat1[FeatureSpec.ITEM_LOG_CONVERSION]).isCloseTo(Math.log(6 / 60.0), within);

        double[] cat2 = UserFeatures.asOf(at("cat-2", T + 10 * MINUTE), null, null, null, deltas);
        assertThat(cat2[FeatureSpec.USER_CATEGORY_SHARE]).isEqualTo(1 / 3.0);
        assertThat(cat2[FeatureSpec.USER_TOP_CATEGORY]).isZero();

        double[] idle =
                UserFeatures.asOf(at("cat-1", T + 5 * MINUTE + month), null, null, null, deltas);
        assertThat(idle[FeatureSpec.USER_CATEGORY_SHARE]).isZero();
        assertThat(idle[FeatureSpec.USER_TOP_CATEGORY]).isZero();
        assertThat(idle[FeatureSpec.USER_BOUGHT_LOG_PRICE]).isZero();
        assertThat(idle[FeatureSpec.USER_LOG_CONVERSION]).isCloseTo(Math.log(0.1), within);

        deltas.add(UserDelta.of(view("e6", "u-1", "sku-2", T + 5 * MINUTE + month, "cat-2")));
        double[] again =
                UserFeatures.asOf(
                        at("cat-2", T + 5 * MINUTE + month + HOUR), null, null, null, deltas);
        assertThat(again[FeatureSpec.USER_CATEGORY_SHARE]).isEqualTo(1);
        assertThat(again[FeatureSpec.USER_TOP_CATEGORY]).isEqualTo(1);
        assertThat(again[FeatureSpec.USER_BOUGHT_LOG_PRICE]).isZero();
        assertThat(again[FeatureSpec.USER_LOG_CONVERSION]).isCloseTo(Math.log(1 / 11.0), within);
        assertThat(
                        UserFeatures.asOf(
                                at("cat-2", T + 5 * MINUTE + month + HOUR),
                                null,
                                null,
                                null,
                                deltas))
                .as("settled and recent give the same")
                .containsExactly(
                        settledThenScored(
                                deltas,
                                T + 5 * MINUTE + month + 30 * MINUTE,
                                "cat-2",
                                T + 5 * MINUTE + month + HOUR));
    }

    private static final org.assertj.core.data.Offset<Double> within =
            org.assertj.core.data.Offset.offset(1e-12);

    /** A view of {@code category} at {@code time}, of an item at 45 EUR with 50 views, 5 lines. */
    private static PendingVector at(String category, long time) {
        return new PendingVector(
                view("v", "u-1", "sku-9", time, category), 0, 0, 0, 0, 0, 45, 50, 5);
    }

    /** The vector after the events before {@code frontier} were folded, as the function does. */
    private static double[] settledThenScored(
            List<UserDelta> deltas, long frontier, String category, long time) {
        UserFeatures.Split split = UserFeatures.split(deltas, frontier);
        UserState a = new UserState();
        UserProfile p = new UserProfile();
        for (UserDelta d : UserFeatures.inTimeOrder(split.settle())) {
            d.applyTo(a, p);
        }
        return UserFeatures.asOf(at(category, time), a, p, null, split.keep());
    }

    private static List<UserDelta> concat(List<UserDelta> a, List<UserDelta> b) {
        List<UserDelta> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
