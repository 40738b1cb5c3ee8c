package io.eventml.common.ml;

import io.eventml.common.features.FeatureVector;
import io.eventml.common.serde.Codec;
import io.eventml.common.serde.ReasonCode;
import io.eventml.common.topic.Topics;

import org.apache.flink.ml.linalg.DenseVector;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static io.eventml.common.testkit.DecodedAssertions.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The codecs of the learning job's topics: round trips and bad input. */
class MlCodecsTest {
    private static final Codec<TrainingExample> EXAMPLES = Topics.ML_TRAINING_EXAMPLES.valueCodec();
    private static final Codec<ModelUpdate> MODELS = Topics.ML_MODELS.valueCodec();
    private static final Codec<Prediction> PREDICTIONS = Topics.ML_PREDICTIONS.valueCodec();

    private static ModelUpdate model(double auc) {
        return new ModelUpdate(
                "m",
                3,
                new DenseVector(new double[] {-2.5, 0.25, 1.0 / 3}),
                1500,
                0.31,
                auc,
                0.12,
                1,
                1_763_979_330_123L);
    }

    private static String json(Codec<?> codec, Object value) {
        @SuppressWarnings("unchecked")
        Codec<Object> c = (Codec<Object>) codec;
        return new String(c.encode(value), StandardCharsets.UTF_8);
    }

    private static <T> T roundTrip(Codec<T> codec, T value) {
        var decoded = codec.decode(codec.encode(value));
        assertThat(decoded.isValid()).as("%s", decoded).isTrue();
        return decoded.value();
    }

    @Test
    void aTrainingExampleIsItsVectorsFieldsPlusTheLabel() {
        TrainingExample e =
                new TrainingExample(
                        new FeatureVector(
                                "clickstream:c-1",
                                "u-1",
                                "sku-1",
                                1000,
                                7,
                                new DenseVector(new double[] {1, 0.5})),
                        true,
                        2000);
        TrainingExample back = roundTrip(EXAMPLES, e);
        assertThat(back.label()).isTrue();
        assertThat(back.labelTime()).isEqualTo(2000);
        assertThat(back.features().eventId()).isEqualTo("clickstream:c-1");
        assertThat(back.features().values().values).containsExactly(1, 0.5);
        // The features topic's codec reads the same record as the vector alone.
        assertThat(Topics.FEATURES_USER.valueCodec().decode(EXAMPLES.encode(e)).value())
                .isEqualTo(e.features());
        assertRejected(
                EXAMPLES.decode(json(EXAMPLES, e).replace("true", "\"yes\"").getBytes()),
                ReasonCode.WRONG_TYPE,
                "label");
    }

    @Test
    void aModelRecordCarriesFlinkMlsEncodingOfItsCoefficientsAndVersion() {
        ModelUpdate m = model(0.8);
        ModelUpdate back = roundTrip(MODELS, m);
        assertThat(back).isEqualTo(m);
        assertThat(json(MODELS, m))
                .contains(
                        "\"modelData\":\""
                                + Base64.getEncoder()
                                        .encodeToString(
                                                LogisticRegressionModels.encode(
                                                        m.coefficients(), 3))
                                + "\"");
    }

    @Test
    void anUnknownAucTravelsAsNullAndComesBackAsNaN() {
        String json = json(MODELS, model(Double.NaN));
        assertThat(json).contains("\"auc\":null");
        assertThat(roundTrip(MODELS, model(Double.NaN)).auc()).isNaN();
    }

    @Test
    void aModelWhoseTwoFormsDisagreeOrWhoseDataIsNotBase64IsRefused() {
        String json = json(MODELS, model(0.8));
        assertRejected(
                MODELS.decode(json.replace("[-2.5,", "[-2.0,").getBytes()),
                ReasonCode.INVALID_VALUE,
                "not the Flink ML encoding");
        assertRejected(
                MODELS.decode(json.replace("\"version\":3", "\"version\":4").getBytes()),
                ReasonCode.INVALID_VALUE,
                "not the Flink ML encoding");
        assertRejected(
                MODELS.decode(
                        json.replaceAll("\"modelData\":\"[^\"]*\"", "\"modelData\":\"%%\"")
                                .getBytes()),
                ReasonCode.INVALID_VALUE,
                "not base64");
        assertRejected(
                MODELS.decode(json.replace("\"version\":3", "\"version\":0").getBytes()),
                ReasonCode.VALUE_OUT_OF_RANGE,
                "version");
    }

    @Test
    void aDriftAlarmRoundTripsWithANegativeBaselineAndRefusesAMissingField() {
        Codec<DriftAlarm> codec = Topics.ML_DRIFT.valueCodec();
        DriftAlarm alarm =
                new DriftAlarm(
                        "purchase-30m",
                        "page-hinkley-log-loss-over-base-rate",
                        136,
                        58_990,
                        200.4,
                        200,
                        -0.106,
                        -0.071,
                        1_883,
                        1_763_992_800_000L,
                        1_763_992_815_304L,
                        null);
        assertThat(roundTrip(codec, alarm)).isEqualTo(alarm);
        DriftAlarm onAFeature =
                new DriftAlarm(
                        "purchase-30m",
                        "population-stability-index",
                        136,
                        2_000,
                        0.41,
                        0.25,
                        0.15,
                        0.45,
                        2_000,
                        1_763_992_800_000L,
                        1_763_992_815_304L,
                        "in_store");
        assertThat(roundTrip(codec, onAFeature)).isEqualTo(onAFeature);
        String json = new String(codec.encode(alarm), StandardCharsets.UTF_8);
        var broken =
                codec.decode(
                        json.replace("\"threshold\"", "\"limit\"")
                                .getBytes(StandardCharsets.UTF_8));
        assertThat(broken.isValid()).isFalse();
        assertThat(broken.toString()).contains("threshold");
    }

    @Test
    void aDecisionCarriesItsCandidateAsOnMlModelsAndItsFigures() {
        Codec<ModelDecision> codec = Topics.ML_MODEL_DECISIONS.valueCodec();
        ModelDecision promoted =
                new ModelDecision(
                        model(0.8),
                        ModelDecision.Verdict.PROMOTED,
                        "below the base rate and within 1% of serving version 2",
                        1000,
                        180,
                        0.41,
                        0.74,
                        2,
                        0.42,
                        1_763_979_390_000L);
        assertThat(roundTrip(codec, promoted)).isEqualTo(promoted);
        String json = json(codec, promoted);
        // The candidate's fields are those of ml.models: a decided version can be served again.
        assertThat(json).startsWith(json(MODELS, model(0.8)).replaceAll("}$", ""));
        assertThat(json).contains("\"verdict\":\"PROMOTED\"");
        assertThat(promoted.baseRate()).isEqualTo(0.18);
        java.util.regex.Matcher base =
                java.util.regex.Pattern.compile("\"baseLogLoss\":([0-9.]+)").matcher(json);
        assertThat(base.find()).isTrue();
        assertThat(Double.parseDouble(base.group(1)))
                .isCloseTo(-(0.18 * Math.log(0.18) + 0.82 * Math.log(0.82)), within(1e-15));
        ModelDecision first =
                new ModelDecision(
                        model(Double.NaN),
                        ModelDecision.Verdict.REJECTED,
                        "not below the base rate",
                        1000,
                        0,
                        0.2,
                        Double.NaN,
                        0,
                        Double.NaN,
                        5);
        assertThat(roundTrip(codec, first)).isEqualTo(first);
        assertThat(first.baseLogLoss()).as("one class only").isZero();
        assertThat(json(codec, first)).contains("\"servingLogLoss\":null");

        assertRejected(
                codec.decode(json.replace("PROMOTED", "MAYBE").getBytes()),
                ReasonCode.INVALID_VALUE,
                "verdict");
        assertRejected(
                codec.decode(
                        json.replace("\"holdoutPositives\":180", "\"holdoutPositives\":1001")
                                .getBytes()),
                ReasonCode.VALUE_OUT_OF_RANGE,
                "holdoutPositives");
        assertRejected(
                codec.decode(
                        json.replace("\"servingVersion\":2", "\"servingVersion\":0").getBytes()),
                ReasonCode.INVALID_VALUE,
                "servingLogLoss");
        assertRejected(
                codec.decode(json.replace("[-2.5,", "[-2.0,").getBytes()),
                ReasonCode.INVALID_VALUE,
                "not the Flink ML encoding");
    }

    @Test
    void aPinCarriesItsVersionAsOnMlModelsAndAnUnpinNoModel() {
        Codec<ModelPin> codec = Topics.ML_MODEL_PINS.valueCodec();
        ModelPin pin = ModelPin.pin(model(0.8), 1_763_983_012_000L);
        assertThat(roundTrip(codec, pin)).isEqualTo(pin);
        assertThat(json(codec, pin)).startsWith(json(MODELS, model(0.8)).replaceAll("}$", ""));
        ModelPin unpin = ModelPin.unpin("m", 1_763_983_013_000L);
        assertThat(roundTrip(codec, unpin)).isEqualTo(unpin);
        assertThat(json(codec, unpin))
                .isEqualTo("{\"modelName\":\"m\",\"pinned\":false,\"pinnedAt\":1763983013000}");
        assertThat(ModelPin.later(pin, unpin)).isSameAs(unpin);
        assertThat(ModelPin.later(unpin, pin)).isSameAs(unpin);
        assertThat(ModelPin.later(null, pin)).isSameAs(pin);

        assertRejected(
                codec.decode(
                        json(codec, pin).replace("\"pinned\":true", "\"pinned\":false").getBytes()),
                ReasonCode.INVALID_VALUE,
                "carries no model");
        assertRejected(
                codec.decode("{\"modelName\":\"m\",\"pinned\":true,\"pinnedAt\":5}".getBytes()),
                ReasonCode.MISSING_FIELD,
                "version");
    }

    @Test
    void predictionsRoundTripAndProbabilitiesOutsideZeroToOneAreRefused() {
        Prediction p = new Prediction("clickstream:c-1", "u-1", "sku-1", 0.25, 4, 99);
        assertThat(roundTrip(PREDICTIONS, p)).isEqualTo(p);
        assertRejected(
                PREDICTIONS.decode(json(PREDICTIONS, p).replace("0.25", "1.5").getBytes()),
                ReasonCode.VALUE_OUT_OF_RANGE,
                "probability");
    }

    @Test
    void servedQualityRoundTripsAndItsFiguresFollowFromTheBins() {
        Codec<ServedQuality> codec = Topics.ML_SERVED_QUALITY.valueCodec();
        ServedQuality q =
                new ServedQuality(
                        "m",
                        4,
                        5,
                        2,
                        3.25,
                        1.2,
                        List.of(
                                new ServedQuality.Bin(5, 0, 2, 0.11),
                                new ServedQuality.Bin(30, 1, 1, 0.61),
                                new ServedQuality.Bin(48, 1, 0, 0.48)),
                        1_763_979_330_000L,
                        1_763_979_330_123L);
        assertThat(roundTrip(codec, q)).isEqualTo(q);
        assertThat(q.logLoss()).isEqualTo(0.65);
        assertThat(q.positiveRate()).isEqualTo(0.4);
        assertThat(q.baseRateLogLoss())
                .isCloseTo(-(0.4 * Math.log(0.4) + 0.6 * Math.log(0.6)), within(1e-12));
        // Positive pairs: (30, 5) (30, 5) (30, 30: half) (48, 5) (48, 5) (48, 30): 5.5 of 6.
        assertThat(q.auc()).isCloseTo(5.5 / 6, within(1e-12));
        assertThat(q.calibration(0, 0.1, 0.4, 1))
                .extracting(ServedQuality.Calibration::count)
                .containsExactly(2L, 2L, 1L);
        assertThat(q.calibration(0, 0.1, 0.4, 1).get(1).meanPredicted())
                .isCloseTo(0.305, within(1e-12));
        assertThat(q.calibration(0, 0.1, 0.4, 1).get(1).observedRate()).isEqualTo(0.5);

        String counted = json(codec, q).replace("\"outcomes\":5", "\"outcomes\":6");
        assertThat(codec.decode(counted.getBytes(StandardCharsets.UTF_8)).isValid())
                .as("bins that do not add up to the outcomes")
                .isFalse();
    }
}
