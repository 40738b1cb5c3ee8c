package io.eventml.learning;

import io.eventml.common.features.FeatureVector;
import io.eventml.common.ml.ModelUpdate;
import io.eventml.common.ml.TrainingExample;
import io.eventml.common.state.WriteBehindProcessOperator;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.ml.linalg.DenseVector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class OnlineTrainerTest {
    private static final FtrlProximal FTRL = new FtrlProximal(0.1, 1.0, 0.1, 0.1);
    private static final double[] TRUE_WEIGHTS = {-1.5, 1.0, -0.8, 0.5, 0.0};

    private static KeyedOneInputStreamOperatorTestHarness<String, TrainingExample, ModelUpdate>
            harness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new WriteBehindProcessOperator<>(
                        new OnlineTrainer(FTRL, 1000, Duration.ofMinutes(1))),
                e -> "ctr",
                Types.STRING);
    }

    private static List<TrainingExample> examples(int n, int specVersion) {
        SplittableRandom r = new SplittableRandom(5);
        List<TrainingExample> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            double[] x = new double[TRUE_WEIGHTS.length];
            x[0] = 1;
            double dot = TRUE_WEIGHTS[0];
            for (int i = 1; i < x.length; i++) {
                x[i] = r.nextGaussian();
                dot += TRUE_WEIGHTS[i] * x[i];
            }
            boolean y = r.nextDouble() < 1 / (1 + Math.exp(-dot));
            out.add(
                    new TrainingExample(
                            new FeatureVector(
                                    "v" + k, "u-1", "sku-1", k, specVersion, new DenseVector(x)),
                            y,
                            k));
        }
        return out;
    }

    /** The same examples through a plain FtrlProximal: what the operator must publish. */
    private static double[] plainWeights(List<TrainingExample> examples) {
        FtrlProximal.State s = new FtrlProximal.State(TRUE_WEIGHTS.length);
        for (TrainingExample e : examples) {
            FTRL.learn(s, e.features().values().values, e.label());
        }
        return FTRL.weights(s);
    }

    @Test
    void publishesAVersionEveryThousandExamplesWithTheTrainersWeights() throws Exception {
        List<TrainingExample> examples = examples(2_500, 1);
        try (var h = harness()) {
            h.open();
            for (TrainingExample e : examples) {
                h.processElement(new StreamRecord<>(e, e.labelTime()));
            }
            List<ModelUpdate> updates = h.extractOutputValues();
            assertThat(updates).extracting(ModelUpdate::version).containsExactly(1L, 2L);
            assertThat(updates).extracting(ModelUpdate::examples).containsExactly(1000L, 2000L);
            assertThat(updates.get(1).coefficients().values)
                    .containsExactly(plainWeights(examples.subList(0, 2000)));
            assertThat(updates.get(1).auc()).isGreaterThan(0.7);
            assertThat(updates.get(1).modelName()).isEqualTo("ctr");

            // The publish timer publishes what was learned since, once.
            h.setProcessingTime(60_000);
            assertThat(h.extractOutputValues())
                    .extracting(ModelUpdate::version)
                    .containsExactly(1L, 2L, 3L);
            assertThat(h.extractOutputValues().get(2).coefficients().values)
                    .containsExactly(plainWeights(examples));
            h.setProcessingTime(120_000);
            assertThat(h.extractOutputValues()).hasSize(3);
        }
    }

    @Test
    void afterARestoreTheTrainerContinuesFromItsWeightsAndVersion() throws Exception {
        List<TrainingExample> examples = examples(2_500, 1);
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            for (TrainingExample e : examples.subList(0, 1_500)) {
                h.processElement(new StreamRecord<>(e, e.labelTime()));
            }
            snapshot = h.snapshot(1L, 1L);
        }
        try (var restored = harness()) {
            restored.initializeState(snapshot);
            restored.open();
            for (TrainingExample e : examples.subList(1_500, 2_500)) {
                restored.processElement(new StreamRecord<>(e, e.labelTime()));
            }
            List<ModelUpdate> updates = restored.extractOutputValues();
            assertThat(updates).extracting(ModelUpdate::version).containsExactly(2L);
            assertThat(updates.get(0).examples()).isEqualTo(2000L);
            assertThat(updates.get(0).coefficients().values)
                    .containsExactly(plainWeights(examples.subList(0, 2000)));
        }
    }

    @Test
    void stateAndOutputTypesNeedNoKryo() {
        org.apache.flink.api.common.serialization.SerializerConfigImpl noKryo =
                new org.apache.flink.api.common.serialization.SerializerConfigImpl();
        noKryo.setGenericTypes(false);
        for (Class<?> type :
                List.of(
                        OnlineTrainer.TrainerState.class,
                        ModelUpdate.class,
                        TrainingExample.class)) {
            org.apache.flink.api.common.typeinfo.TypeInformation<?> info =
                    org.apache.flink.api.common.typeinfo.TypeInformation.of(type);
            assertThat(info)
                    .as("%s", type)
                    .isInstanceOf(org.apache.flink.api.java.typeutils.PojoTypeInfo.class);
            assertThat(info.createSerializer(noKryo)).isNotNull();
        }
    }

    @Test
    void examplesOfAnotherSpecVersionAreNotLearned() throws Exception {
        try (var h = harness()) {
            h.open();
            for (TrainingExample e : examples(999, 1)) {
                h.processElement(new StreamRecord<>(e, e.labelTime()));
            }
            for (TrainingExample e : examples(10, 2)) {
                h.processElement(new StreamRecord<>(e, e.labelTime()));
            }
            assertThat(h.extractOutputValues())
                    .isEmpty(); // 999 learned, 10 refused: no 1000th example yet
        }
    }
}
