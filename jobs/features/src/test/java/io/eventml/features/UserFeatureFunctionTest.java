package io.eventml.features;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.features.FeatureSpec;
import io.eventml.common.features.FeatureVector;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
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
import static org.assertj.core.api.Assertions.within;

class UserFeatureFunctionTest {

    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, PendingVector, CanonicalEvent, FeatureVector>
            harness() throws Exception {
        var h =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(new UserFeatureFunction()),
                        (PendingVector p) -> p.view().userId(),
                        CanonicalEvent::userId,
                        Types.STRING);
        h.open();
        return h;
    }

    /** A view on its way, with item counts 3 (1 h), 40 (24 h), 1, 4. */
    private static PendingVector pending(CanonicalEvent view) {
        return new PendingVector(view, 3, 40, 1, 4, 0);
    }

    private static final CanonicalEvent V1 = view("v1", "u-1", "sku-1", T);
    private static final CanonicalEvent V2 = view("v2", "u-1", "sku-1", T + 5 * MINUTE);
    private static final CanonicalEvent V3 = view("v3", "u-1", "sku-2", T + 2 * HOUR);

    /** The user's events, the views among them. */
    private static List<CanonicalEvent> events() {
        return List.of(
                V1,
                click("c1", "u-1", "sku-9", T + 30_000),
                cartAdd("a1", "u-1", "sku-1", T + MINUTE),
                purchase("p1", "u-1", "sku-1", T + 2 * MINUTE, 20),
                cartAdd("a2", "u-1", "sku-2", T + 2 * MINUTE + 1),
                loyalty("l1", "u-1", T + 2 * MINUTE + 5_000, "GOLD", 3000),
                post("s1", "u-1", T + 2 * MINUTE + 10_000, 0.5),
                post("s0", "u-1", T - 3 * HOUR, -0.5),
                V2,
                V3);
    }

    private static List<FeatureVector> run(List<Object> inputs) throws Exception {
        try (var h = harness()) {
            for (Object in : inputs) {
                if (in instanceof PendingVector p) {
                    h.processElement1(new StreamRecord<>(p, p.view().eventTime()));
                } else {
                    CanonicalEvent e = (CanonicalEvent) in;
                    h.processElement2(new StreamRecord<>(e, e.eventTime()));
                }
            }
            h.processBothWatermarks(new Watermark(T + 3 * HOUR));
            return new ArrayList<>(h.extractOutputValues());
        }
    }

    private static List<Object> inputs() {
        List<Object> inputs = new ArrayList<>(events());
        inputs.add(pending(V1));
        inputs.add(pending(V2));
        inputs.add(pending(V3));
        return inputs;
    }

    @Test
    void aViewSeesOnlyWhatHappenedBeforeIt() throws Exception {
        List<FeatureVector> out = run(inputs());
        assertThat(out).extracting(FeatureVector::eventId).containsExactly("v1", "v2", "v3");

        double[] v1 = out.get(0).values().values;
        assertThat(v1[FeatureSpec.BIAS]).isEqualTo(1);
        assertThat(v1[FeatureSpec.USER_VIEWS_24H]).as("its own view is not counted").isZero();
        assertThat(v1[FeatureSpec.USER_NEVER_PURCHASED]).isEqualTo(1);
        assertThat(v1[FeatureSpec.USER_HOURS_SINCE_PURCHASE]).isEqualTo(Math.log1p(720));
        assertThat(v1[FeatureSpec.LOYALTY_KNOWN]).isZero();
        assertThat(v1[FeatureSpec.SENTIMENT_24H]).as("the post 3 h before").isEqualTo(-0.5);
        assertThat(v1[FeatureSpec.SENTIMENT_TREND]).as("no post in the last hour").isZero();
        assertThat(v1[FeatureSpec.ITEM_VIEWS_1H]).isEqualTo(Math.log1p(3));
        assertThat(v1[FeatureSpec.ITEM_CONVERSION_24H]).isEqualTo((4 + 1) / (40 + 10.0));
        assertThat(v1[FeatureSpec.CATEGORY_HASH_0 + FeatureSpec.categoryBucket("cat-1")])
                .isEqualTo(1);

        double[] v2 = out.get(1).values().values;
        assertThat(v2[FeatureSpec.USER_VIEWS_10M]).isEqualTo(Math.log1p(1));
        assertThat(v2[FeatureSpec.USER_CLICKS_10M]).isEqualTo(Math.log1p(1));
        assertThat(v2[FeatureSpec.USER_CART_ADDS_10M]).isEqualTo(Math.log1p(2));
        assertThat(v2[FeatureSpec.USER_PURCHASES_1H]).isEqualTo(Math.log1p(1));
        assertThat(v2[FeatureSpec.USER_SPEND_24H]).isEqualTo(Math.log1p(20));
        assertThat(v2[FeatureSpec.USER_NEVER_PURCHASED]).isZero();
        assertThat(v2[FeatureSpec.USER_HOURS_SINCE_PURCHASE])
                .isCloseTo(Math.log1p(3.0 / 60), within(1e-12));
        assertThat(v2[FeatureSpec.LOYALTY_TIER]).isEqualTo(2.0 / 3);
        assertThat(v2[FeatureSpec.LOYALTY_POINTS]).isEqualTo(Math.log1p(3000));
        assertThat(v2[FeatureSpec.LOYALTY_KNOWN]).isEqualTo(1);
        assertThat(v2[FeatureSpec.SENTIMENT_24H]).isEqualTo(0.0); // (-0.5 + 0.5) / 2
        assertThat(v2[FeatureSpec.SENTIMENT_TREND]).isEqualTo(0.5); // last hour 0.5 minus 24 h 0.0
        assertThat(v2[FeatureSpec.SOCIAL_POSTS_24H]).isEqualTo(Math.log1p(2));
        assertThat(v2[FeatureSpec.USER_ITEM_VIEWS_24H]).isEqualTo(Math.log1p(1));
        assertThat(v2[FeatureSpec.USER_ITEM_IN_CART])
                .as("sku-1 was bought after it was added")
                .isZero();

        double[] v3 = out.get(2).values().values;
        assertThat(v3[FeatureSpec.USER_VIEWS_10M]).as("the 10 min window has passed").isZero();
        assertThat(v3[FeatureSpec.USER_VIEWS_1H]).isZero();
        assertThat(v3[FeatureSpec.USER_VIEWS_24H]).isEqualTo(Math.log1p(2));
        assertThat(v3[FeatureSpec.USER_ITEM_IN_CART])
                .as("sku-2 was added and not bought")
                .isEqualTo(1);
        assertThat(v3[FeatureSpec.USER_ITEM_VIEWS_24H]).isZero();
    }

    @Test
    void arrivalOrderWithinTheBoundDoesNotChangeTheVectors() throws Exception {
        List<FeatureVector> inOrder = run(inputs());
        for (int seed = 0; seed < 8; seed++) {
            List<Object> shuffled = inputs();
            Collections.shuffle(shuffled, new Random(seed));
            assertThat(run(shuffled)).as("shuffle %d", seed).isEqualTo(inOrder);
        }
    }

    @Test
    void allStateAndTimersAreGoneThirtyDaysAfterTheLastEvent() throws Exception {
        try (var h = harness()) {
            for (Object in : inputs()) {
                if (in instanceof PendingVector p) {
                    h.processElement1(new StreamRecord<>(p, p.view().eventTime()));
                } else {
                    h.processElement2(
                            new StreamRecord<>(
                                    (CanonicalEvent) in, ((CanonicalEvent) in).eventTime()));
                }
            }
            h.processBothWatermarks(new Watermark(T + 3 * HOUR));
            assertThat(h.numKeyedStateEntries()).isPositive();
            // After 25 h the activity is gone but the profile (last purchase, loyalty) stays.
            h.processBothWatermarks(new Watermark(T + 2 * HOUR + 27 * HOUR));
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            h.processBothWatermarks(
                    new Watermark(T + 2 * HOUR + UserFeatureFunction.PROFILE_RETENTION + 2 * HOUR));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }
}
