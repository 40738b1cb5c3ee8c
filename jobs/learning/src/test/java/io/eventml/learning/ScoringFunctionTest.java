package io.eventml.learning;

import io.eventml.common.features.FeatureVector;
import io.eventml.common.ml.ModelLines;
import io.eventml.common.ml.ModelPin;
import io.eventml.common.ml.ModelUpdate;
import io.eventml.common.ml.Prediction;

import org.apache.flink.ml.linalg.DenseVector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ScoringFunctionTest {

    private static TwoInputStreamOperatorTestHarness<FeatureVector, ServingUpdate, Prediction>
            harness() throws Exception {
        return harness(ModelRegistry.none());
    }

    private static TwoInputStreamOperatorTestHarness<FeatureVector, ServingUpdate, Prediction>
            harness(ModelRegistry registry) throws Exception {
        return new TwoInputStreamOperatorTestHarness<>(
                new CoBroadcastWithNonKeyedOperator<>(
                        new ScoringFunction("ctr", registry),
                        List.of(ScoringFunction.MODELS, ScoringFunction.PINS)));
    }

    private static StreamRecord<ServingUpdate> promoted(ModelUpdate model) {
        return new StreamRecord<>(ServingUpdate.promoted(model));
    }

    private static StreamRecord<ServingUpdate> pin(ModelPin pin) {
        return new StreamRecord<>(ServingUpdate.pin(pin));
    }

    private static ModelUpdate model(long version, double... weights) {
        return new ModelUpdate(
                "ctr", version, new DenseVector(weights), 1000 * version, 0.4, 0.7, 0.1, 1, 0);
    }

    private static FeatureVector vector(String id, int spec, double... values) {
        return new FeatureVector(id, "u-1", "sku-1", 0, spec, new DenseVector(values));
    }

    @Test
    void scoresWithTheNewestModelAndNothingBeforeTheFirst() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement1(new StreamRecord<>(vector("v0", 1, 1, 1)));
            h.processElement2(promoted(model(1, 0.5, -0.25)));
            h.processElement1(new StreamRecord<>(vector("v1", 1, 1, 2)));
            h.processElement2(promoted(model(3, 1.0, 1.0)));
            h.processElement2(promoted(model(2, -9, -9))); // older than the newest: ignored
            h.processElement1(new StreamRecord<>(vector("v2", 1, 1, 2)));
            h.processElement1(
                    new StreamRecord<>(vector("v3", 2, 1, 2))); // another spec version: not scored

            List<Prediction> out = h.extractOutputValues();
            assertThat(out).extracting(Prediction::eventId).containsExactly("v1", "v2");
            assertThat(out.get(0).modelVersion()).isEqualTo(1);
            assertThat(out.get(0).probability()).isCloseTo(0.5, within(1e-12)); // 0.5 - 0.5 = 0
            assertThat(out.get(1).modelVersion()).isEqualTo(3);
            assertThat(out.get(1).probability()).isCloseTo(1 / (1 + Math.exp(-3)), within(1e-12));
        }
    }

    @Test
    void aRestoredScorerScoresAtOnceWithTheModelItHad() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.processElement2(promoted(model(7, 2.0, 0.0)));
            snapshot = h.snapshot(1L, 1L);
        }
        try (var restored = harness()) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement1(new StreamRecord<>(vector("v1", 1, 1, 5)));
            List<Prediction> out = restored.extractOutputValues();
            assertThat(out).hasSize(1);
            assertThat(out.get(0).modelVersion()).isEqualTo(7);
            assertThat(out.get(0).probability()).isCloseTo(1 / (1 + Math.exp(-2)), within(1e-12));
        }
    }

    @Test
    void aScorerWithoutStateScoresAtOnceWithThePublishedVersionUntilANewerIsPromoted()
            throws Exception {
        ModelUpdate published = model(12, 2.0, 0.0);
        try (var h = harness(name -> new ModelRegistry.Published(published, 14))) {
            h.open();
            h.processElement1(new StreamRecord<>(vector("v1", 1, 1, 5)));
            // A restored broadcast state older than the published version does not win either.
            h.processElement2(promoted(model(11, -1.0, 0.0)));
            h.processElement1(new StreamRecord<>(vector("v2", 1, 1, 5)));
            h.processElement2(promoted(model(15, 0.0, 0.0)));
            h.processElement1(new StreamRecord<>(vector("v3", 1, 1, 5)));
            List<Prediction> out = h.extractOutputValues();
            assertThat(out).extracting(Prediction::modelVersion).containsExactly(12L, 12L, 15L);
            assertThat(out.get(0).probability()).isCloseTo(1 / (1 + Math.exp(-2)), within(1e-12));
            assertThat(out.get(2).probability()).isCloseTo(0.5, within(1e-12));
        }
    }

    @Test
    void aPinnedVersionIsServedWhateverIsPromotedUntilUnpinnedAndAcrossARestore() throws Exception {
        ModelUpdate v1 = model(1, 0.0, 0.0);
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.processElement2(promoted(v1));
            h.processElement2(promoted(model(3, 2.0, 0.0)));
            h.processElement2(pin(ModelPin.pin(v1, 100)));
            h.processElement1(new StreamRecord<>(vector("v1", 1, 1, 5)));
            h.processElement2(promoted(model(4, 3.0, 0.0)));
            h.processElement1(new StreamRecord<>(vector("v2", 1, 1, 5)));
            // A pin made earlier than the one in force (read late) does not undo it.
            h.processElement2(pin(ModelPin.unpin("ctr", 50)));
            h.processElement1(new StreamRecord<>(vector("v3", 1, 1, 5)));
            assertThat(h.extractOutputValues())
                    .extracting(Prediction::modelVersion)
                    .containsExactly(1L, 1L, 1L);
            assertThat(h.extractOutputValues().get(0).probability()).isCloseTo(0.5, within(1e-12));
            snapshot = h.snapshot(1L, 1L);
        }
        try (var restored = harness()) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement1(new StreamRecord<>(vector("v4", 1, 1, 5)));
            restored.processElement2(pin(ModelPin.unpin("ctr", 200)));
            restored.processElement1(new StreamRecord<>(vector("v5", 1, 1, 5)));
            assertThat(restored.extractOutputValues())
                    .extracting(Prediction::modelVersion)
                    .as("pinned across the restore, then the newest promoted")
                    .containsExactly(1L, 4L);
        }
    }

    @Test
    void aScorerWithoutStateFindsThePinAndALaterUnpinReleasesIt() throws Exception {
        ModelUpdate v2 = model(2, 1.0, 0.0);
        try (var h =
                harness(
                        name ->
                                new ModelRegistry.Published(
                                        model(5, 2.0, 0.0), 5, ModelPin.pin(v2, 100)))) {
            h.open();
            h.processElement1(new StreamRecord<>(vector("v1", 1, 1, 5)));
            // The pin's own record, read again from ml.model-pins, changes nothing.
            h.processElement2(pin(ModelPin.pin(v2, 100)));
            h.processElement1(new StreamRecord<>(vector("v2", 1, 1, 5)));
            h.processElement2(pin(ModelPin.unpin("ctr", 300)));
            h.processElement1(new StreamRecord<>(vector("v3", 1, 1, 5)));
            assertThat(h.extractOutputValues())
                    .extracting(Prediction::modelVersion)
                    .containsExactly(2L, 2L, 5L);
        }
    }

    /**
     * A feature-spec rollout: a vector of spec 2 is scored by the newest promoted version of spec
     * 2's line only, from its first promotion; spec 1's vectors by spec 1's line, however the two
     * interleave; a pin of a spec-1 version holds for spec 1's vectors only.
     */
    @Test
    void eachSpecVersionsVectorsAreScoredByTheirOwnLine() throws Exception {
        long firstOfSpec2 = ModelLines.versionsAfter(2) + 1;
        ModelUpdate spec2 =
                new ModelUpdate(
                        "ctr",
                        firstOfSpec2,
                        new DenseVector(new double[] {1.0, 0.0, -1.0}),
                        1000,
                        0.4,
                        0.7,
                        0.1,
                        2,
                        0);
        try (var h = harness()) {
            h.open();
            h.processElement2(promoted(model(3, 1.0, 0.0)));
            h.processElement1(new StreamRecord<>(vector("a", 2, 1, 1, 1))); // no model of spec 2
            h.processElement2(promoted(spec2));
            h.processElement1(new StreamRecord<>(vector("b", 2, 1, 1, 1)));
            h.processElement1(new StreamRecord<>(vector("c", 1, 1, 1)));
            h.processElement2(promoted(model(4, 0.0, 0.0))); // older number, other line
            h.processElement1(new StreamRecord<>(vector("d", 1, 1, 1)));
            h.processElement1(new StreamRecord<>(vector("e", 2, 1, 1, 1)));
            h.processElement2(pin(ModelPin.pin(model(3, 1.0, 0.0), 100)));
            h.processElement1(new StreamRecord<>(vector("f", 1, 1, 1)));
            h.processElement1(new StreamRecord<>(vector("g", 2, 1, 1, 1)));

            List<Prediction> out = h.extractOutputValues();
            assertThat(out)
                    .extracting(Prediction::eventId)
                    .containsExactly("b", "c", "d", "e", "f", "g");
            assertThat(out)
                    .extracting(Prediction::modelVersion)
                    .containsExactly(firstOfSpec2, 3L, 4L, firstOfSpec2, 3L, firstOfSpec2);
            assertThat(out.get(0).probability()).isCloseTo(0.5, within(1e-12)); // 1 + 0 - 1 = 0
        }
    }
}
