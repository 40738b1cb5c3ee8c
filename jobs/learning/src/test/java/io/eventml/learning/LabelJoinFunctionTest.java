package io.eventml.learning;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.EventSource;
import io.eventml.common.event.EventType;
import io.eventml.common.features.FeatureSpec;
import io.eventml.common.features.FeatureVector;
import io.eventml.common.ml.TrainingExample;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.ml.linalg.DenseVector;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class LabelJoinFunctionTest {
    private static final long T = 1_763_978_400_000L;
    private static final long MINUTE = 60_000L;
    private static final Duration HORIZON = Duration.ofMinutes(30);

    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, FeatureVector, CanonicalEvent, TrainingExample>
            harness(int maxPending) throws Exception {
        var h =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(new LabelJoinFunction(HORIZON, maxPending)),
                        FeatureVector::userId,
                        CanonicalEvent::userId,
                        Types.STRING);
        h.open();
        return h;
    }

    private static FeatureVector view(String id, String item, long time) {
        return new FeatureVector(
                id, "u-1", item, time, FeatureSpec.VERSION, new DenseVector(FeatureSpec.SIZE));
    }

    private static CanonicalEvent purchase(String id, String item, long time) {
        return new CanonicalEvent(
                1,
                id,
                EventType.PURCHASE,
                EventSource.ORDERS,
                "u-1",
                item,
                null,
                time,
                time,
                10,
                1,
                Map.of());
    }

    private static void feed(
            KeyedTwoInputStreamOperatorTestHarness<
                            String, FeatureVector, CanonicalEvent, TrainingExample>
                    h,
            Object... inputs)
            throws Exception {
        for (Object in : inputs) {
            if (in instanceof FeatureVector v) {
                h.processElement1(new StreamRecord<>(v, v.eventTime()));
            } else {
                CanonicalEvent e = (CanonicalEvent) in;
                h.processElement2(new StreamRecord<>(e, e.eventTime()));
            }
        }
    }

    private static List<String> labels(
            KeyedTwoInputStreamOperatorTestHarness<
                            String, FeatureVector, CanonicalEvent, TrainingExample>
                    h) {
        return h.extractOutputValues().stream()
                .map(
                        x ->
                                x.features().eventId()
                                        + "="
                                        + (x.label() ? "1@" : "0@")
                                        + (x.labelTime() - T) / MINUTE)
                .collect(Collectors.toList());
    }

    @Test
    void aPurchaseWithinTheHorizonLabelsTheViewPositiveAndEveryExampleLeavesAtItsHorizon()
            throws Exception {
        try (var h = harness(100)) {
            feed(
                    h,
                    view("v1", "sku-1", T),
                    view("v2", "sku-2", T + MINUTE),
                    purchase("p1", "sku-1", T + 10 * MINUTE),
                    purchase("p2", "sku-2", T + 40 * MINUTE)); // after v2's horizon
            h.processBothWatermarks(new Watermark(T + 15 * MINUTE));
            // Bought, but held until its horizon: examples leave in view order, not label order.
            assertThat(labels(h)).isEmpty();
            h.processBothWatermarks(new Watermark(T + 30 * MINUTE));
            assertThat(labels(h)).containsExactly("v1=1@10");
            h.processBothWatermarks(new Watermark(T + 31 * MINUTE));
            assertThat(labels(h)).containsExactly("v1=1@10", "v2=0@31");
            h.processBothWatermarks(new Watermark(T + 2 * 60 * MINUTE));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aPurchaseThatArrivesBeforeItsViewWithinTheBoundStillLabelsIt() throws Exception {
        try (var h = harness(100)) {
            feed(h, purchase("p1", "sku-1", T + 5 * MINUTE), view("v1", "sku-1", T));
            h.processBothWatermarks(new Watermark(T + 60 * MINUTE));
            assertThat(labels(h)).containsExactly("v1=1@5");
        }
    }

    @Test
    void aPurchaseAtTheHorizonCountsAndOneBeforeTheViewDoesNot() throws Exception {
        try (var h = harness(100)) {
            feed(
                    h,
                    purchase("p0", "sku-1", T - 1),
                    view("v1", "sku-1", T),
                    purchase("p1", "sku-1", T + 30 * MINUTE));
            h.processBothWatermarks(new Watermark(T + 60 * MINUTE));
            assertThat(labels(h)).containsExactly("v1=1@30");
        }
    }

    @Test
    void viewsBeyondTheCapAreDroppedNotLabelled() throws Exception {
        try (var h = harness(2)) {
            feed(
                    h,
                    view("v1", "sku-1", T),
                    view("v2", "sku-2", T + MINUTE),
                    view("v3", "sku-3", T + 2 * MINUTE));
            h.processBothWatermarks(new Watermark(T + 60 * MINUTE));
            assertThat(labels(h)).containsExactly("v1=0@30", "v2=0@31");
        }
    }
}
