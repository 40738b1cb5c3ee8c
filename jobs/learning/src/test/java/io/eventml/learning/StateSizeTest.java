package io.eventml.learning;

import io.eventml.common.features.FeatureSpec;
import io.eventml.common.features.FeatureVector;
import io.eventml.common.ml.ModelUpdate;
import io.eventml.common.ml.Prediction;
import io.eventml.common.testkit.SerializedSize;

import org.apache.flink.ml.linalg.DenseVector;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bytes each piece of the learning job's keyed state takes (its Flink serializer's output): the
 * figures of docs/learning.md. A change that makes a piece larger fails here.
 */
class StateSizeTest {
    private static <T> int bytes(Class<T> type, T value) throws IOException {
        return SerializedSize.of(type, value);
    }

    @Test
    void perUserAndPerModel() throws IOException {
        FeatureVector view =
                new FeatureVector(
                        "0123456789abcdef0123456789abcdef",
                        "u-12345",
                        "sku-00123",
                        1_763_978_400_000L,
                        FeatureSpec.VERSION,
                        new DenseVector(new double[FeatureSpec.SIZE]));
        int heldView = bytes(FeatureVector.class, view);
        int purchase =
                bytes(
                        LabelJoinFunction.Purchase.class,
                        new LabelJoinFunction.Purchase(1_763_978_400_000L, "sku-00123"));
        // Immediate feedback: a view not yet known positive, by id (the map key) and item and time;
        // an early example waiting for the watermark.
        int pendingView =
                bytes(String.class, view.eventId())
                        + bytes(
                                LabelJoinFunction.PendingView.class,
                                new LabelJoinFunction.PendingView(view.itemId(), view.eventTime()));
        int earlyExample =
                bytes(
                        io.eventml.common.ml.TrainingExample.class,
                        new io.eventml.common.ml.TrainingExample(view, false, view.eventTime()));
        OnlineTrainer.TrainerState trainer = new OnlineTrainer.TrainerState();
        trainer.ftrl = new FtrlProximal.State(FeatureSpec.SIZE);
        // At its largest: a candidate under evaluation and a serving version.
        ModelUpdate full =
                new ModelUpdate(
                        "purchase-30m",
                        42,
                        new DenseVector(new double[FeatureSpec.SIZE]),
                        42_000,
                        0.3,
                        0.8,
                        0.2,
                        FeatureSpec.VERSION,
                        1_763_978_400_000L);
        trainer.gate.candidate = full;
        trainer.gate.serving = full;
        // And the feature-drift windows, which have a fixed size.
        trainer.features = FeatureDrift.of(FeatureSpec.SIZE);
        int model = bytes(OnlineTrainer.TrainerState.class, trainer);
        System.out.printf(
                "label join: %d B per view waiting for its horizon, %d B per purchase kept,"
                        + " %d B per view pending its purchase and %d B per early example waiting"
                        + " for the watermark (immediate feedback); trainer: %d B per model line%n",
                heldView, purchase, pendingView, earlyExample, model);
        assertThat(heldView).isLessThanOrEqualTo(520);
        assertThat(purchase).isLessThanOrEqualTo(30);
        assertThat(pendingView).isLessThanOrEqualTo(60);
        assertThat(earlyExample).isLessThanOrEqualTo(530);
        assertThat(model).isLessThanOrEqualTo(32_000);
    }

    @Test
    void servedQualityPerViewAndPerVersion() throws IOException {
        int prediction =
                bytes(
                        Prediction.class,
                        new Prediction(
                                "0123456789abcdef0123456789abcdef",
                                "u-12345",
                                "sku-00123",
                                0.123,
                                42,
                                1_763_978_400_000L));
        ServedQualityFunction.VersionCounts version = new ServedQualityFunction.VersionCounts();
        ServedQualityFunction.ServedState state = new ServedQualityFunction.ServedState();
        int empty = bytes(ServedQualityFunction.ServedState.class, state);
        state.versions = new ServedQualityFunction.VersionCounts[] {version};
        int perVersion = bytes(ServedQualityFunction.ServedState.class, state) - empty;
        state.versions = new ServedQualityFunction.VersionCounts[0];
        state.recent = new QualityCounts[ServedQualityFunction.CHUNKS];
        java.util.Arrays.fill(state.recent, new QualityCounts());
        int window = bytes(ServedQualityFunction.ServedState.class, state) - empty;
        System.out.printf(
                "served join: %d B per view between its prediction and its label;"
                        + " served quality: %d B per live version, %d B for the last 10,000%n",
                prediction, perVersion, window);
        assertThat(prediction).isLessThanOrEqualTo(100);
        assertThat(perVersion).isLessThanOrEqualTo(2_600);
        assertThat(window).isLessThanOrEqualTo(26_000);
    }
}
