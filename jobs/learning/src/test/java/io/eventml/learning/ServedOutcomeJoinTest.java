package io.eventml.learning;

import io.eventml.common.features.FeatureVector;
import io.eventml.common.ml.Prediction;
import io.eventml.common.ml.TrainingExample;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.ml.linalg.DenseVector;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ServedOutcomeJoinTest {
    private static final long T = 1_763_978_400_000L;
    private static final Duration HORIZON = Duration.ofMinutes(30);
    private static final Duration LATENESS = Duration.ofMinutes(5);
    private static final long WAIT = HORIZON.plus(LATENESS).toMillis() + 1_000;

    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, Prediction, TrainingExample, ServedOutcome>
            harness() throws Exception {
        var h =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(new ServedOutcomeJoin(HORIZON, LATENESS)),
                        Prediction::eventId,
                        (TrainingExample e) -> e.features().eventId(),
                        Types.STRING);
        h.open();
        return h;
    }

    private static StreamRecord<Prediction> prediction(String view, long viewTime, double p) {
        return new StreamRecord<>(new Prediction(view, "u-1", "sku-1", p, 7, 0), viewTime);
    }

    private static StreamRecord<TrainingExample> example(
            String view, long viewTime, boolean label, long labelTime) {
        FeatureVector v =
                new FeatureVector(
                        view, "u-1", "sku-1", viewTime, 1, new DenseVector(new double[1]));
        return new StreamRecord<>(
                new TrainingExample(v, label, labelTime), viewTime + HORIZON.toMillis());
    }

    @Test
    void joinsAPredictionWithItsLabelWhicheverComesFirstAndLeavesNothingBehind() throws Exception {
        try (var h = harness()) {
            h.processElement1(prediction("v1", T, 0.2));
            h.processElement2(example("v2", T, false, T + HORIZON.toMillis()));
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);
            assertThat(h.numEventTimeTimers()).isEqualTo(2);

            h.processElement2(example("v1", T, true, T + 60_000));
            h.processElement1(prediction("v2", T, 0.4));

            assertThat(h.extractOutputValues())
                    .containsExactly(
                            new ServedOutcome("v1", 7, 0.2, true, T + 60_000),
                            new ServedOutcome("v2", 7, 0.4, false, T + HORIZON.toMillis()));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aSideStillAloneWhenItsLabelCanNoLongerComeIsDroppedAtThatBoundAndNotBefore()
            throws Exception {
        try (var h = harness()) {
            // A view that went to the dead-letter topic late: its prediction never gets a label.
            h.processElement1(prediction("late", T, 0.3));
            // A view scored before the first model: its example has no prediction.
            h.processElement2(example("early", T, true, T + 1_000));
            h.processBothWatermarks(new Watermark(T + WAIT - 1));
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);

            h.processBothWatermarks(new Watermark(T + WAIT));

            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }
}
