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
                            .containsExactly(UserFeatures.asOf(view, null, null, null, all));
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

    private static List<UserDelta> concat(List<UserDelta> a, List<UserDelta> b) {
        List<UserDelta> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
