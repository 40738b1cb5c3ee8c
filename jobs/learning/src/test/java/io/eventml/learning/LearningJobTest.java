package io.eventml.learning;

import io.eventml.common.config.JobSetup;
import io.eventml.common.config.KafkaOptions;
import io.eventml.common.config.SourceOptions;
import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.DeadLetter;
import io.eventml.common.event.EventType;
import io.eventml.common.features.FeatureSpec;
import io.eventml.common.features.FeatureVector;
import io.eventml.common.ml.ModelDecision;
import io.eventml.common.ml.ModelLines;
import io.eventml.common.ml.ModelPin;
import io.eventml.common.ml.ModelPins;
import io.eventml.common.ml.ModelUpdate;
import io.eventml.common.ml.Prediction;
import io.eventml.common.ml.ServedQuality;
import io.eventml.common.ml.TrainingExample;
import io.eventml.common.testkit.FailOnceAfterCheckpoint;
import io.eventml.common.testkit.FlinkTestCluster;
import io.eventml.common.testkit.KafkaBrokerExtension;
import io.eventml.common.testkit.Slowdown;
import io.eventml.common.topic.Topic;
import io.eventml.common.topic.TopicInput;
import io.eventml.common.topic.TopicSerializer;
import io.eventml.common.topic.Topics;
import io.eventml.generator.Simulator;

import org.apache.flink.api.common.JobID;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.ml.classification.logisticregression.LogisticRegressionModelServable;
import org.apache.flink.ml.linalg.DenseVector;
import org.apache.flink.ml.servable.api.DataFrame;
import org.apache.flink.ml.servable.api.Row;
import org.apache.flink.ml.servable.types.BasicType;
import org.apache.flink.ml.servable.types.DataTypes;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * generator -> ingestion -> features -> learning on a MiniCluster against a real broker. Labels are
 * checked against a plain re-scan of the purchases, models for progress and continuity across an
 * injected failure and a savepoint restore, predictions against Flink ML's servable outside Flink.
 */
class LearningJobTest {

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final long HORIZON_MS = LabelJoinFunction.DEFAULT_HORIZON.toMillis();
    private static final int PUBLISH_EVERY = 500;

    /** Each candidate judged on the 500 examples after its cut, the next cut right after. */
    private static final PromotionGate.Settings GATE =
            new PromotionGate.Settings(PUBLISH_EVERY, PromotionGate.DEFAULT_TOLERANCE);

    private static Simulator simulator;
    private static List<ConsumerRecord<byte[], byte[]>> canonicalRecords;
    private static List<ConsumerRecord<byte[], byte[]>> featureRecords;
    private static Map<String, FeatureVector> vectors;

    /** userId|itemId -> purchase times. */
    private static Map<String, List<Long>> purchases;

    @BeforeAll
    static void ingestAndComputeFeaturesOfTwoHoursOfTheWorld() throws Exception {
        GeneratedWorld world = GeneratedWorld.generate(KAFKA, Duration.ofHours(2));
        simulator = world.simulator();
        canonicalRecords = world.canonicalRecords();
        featureRecords = world.featureRecords();
        vectors =
                decode(Topics.FEATURES_USER, featureRecords).stream()
                        .collect(Collectors.toMap(FeatureVector::eventId, v -> v));
        purchases = new HashMap<>();
        for (CanonicalEvent e : decode(Topics.EVENTS_CANONICAL, canonicalRecords)) {
            if (e.type() == EventType.PURCHASE) {
                purchases
                        .computeIfAbsent(e.userId() + "|" + e.itemId(), k -> new ArrayList<>())
                        .add(e.eventTime());
            }
        }
        assertThat(vectors).hasSizeGreaterThan(10_000);
    }

    private static KafkaOptions kafka(String suffix) {
        return GeneratedWorld.options(KAFKA, suffix);
    }

    /** Fresh registry topics holding the canonical events and feature vectors made above. */
    private static LearningConfig freshConfig() {
        return freshConfig(LearningConfig.DEFAULT_FEEDBACK);
    }

    private static LearningConfig freshConfig(Feedback feedback) {
        KafkaOptions kafka = kafka(KAFKA.createRegistryTopics(KafkaBrokerExtension.uniqueSuffix()));
        List<ProducerRecord<byte[], byte[]>> copy = new ArrayList<>();
        copyTo(kafka.topic(Topics.EVENTS_CANONICAL), canonicalRecords, copy);
        copyTo(kafka.topic(Topics.FEATURES_USER), featureRecords, copy);
        KAFKA.produce(copy);
        return freshConfig(kafka, feedback);
    }

    /** The learning job's production settings on these topics, bounded. */
    private static LearningConfig freshConfig(KafkaOptions kafka) {
        return freshConfig(kafka, LearningConfig.DEFAULT_FEEDBACK);
    }

    private static LearningConfig freshConfig(KafkaOptions kafka, Feedback feedback) {
        // The production settings: parallelism 2, the default bound, inputs never idle.
        return new LearningConfig(
                kafka,
                new SourceOptions(
                        "learning" + kafka.topicSuffix(),
                        "earliest",
                        true,
                        2,
                        null,
                        Duration.ofSeconds(10),
                        Duration.ZERO),
                "purchase-30m",
                LabelJoinFunction.DEFAULT_HORIZON,
                LabelJoinFunction.DEFAULT_ALLOWED_LATENESS,
                FtrlProximal.defaults(),
                PUBLISH_EVERY,
                Duration.ZERO,
                GATE,
                feedback,
                PageHinkley.Settings.defaults(),
                FeatureDrift.Settings.defaults());
    }

    private static void copyTo(
            String topic,
            List<ConsumerRecord<byte[], byte[]>> records,
            List<ProducerRecord<byte[], byte[]>> out) {
        for (ConsumerRecord<byte[], byte[]> r : records) {
            // Headers too: the learning job skips canonical events by their type header.
            out.add(
                    new ProducerRecord<>(
                            topic, r.partition(), r.timestamp(), r.key(), r.value(), r.headers()));
        }
    }

    /**
     * The learning pipeline as the job builds it, on the given sources. Vectors may be slowed so
     * that models are published while vectors are still being scored, as in a live run.
     */
    private static LearningJob.Streams learningJob(
            StreamExecutionEnvironment env,
            LearningConfig config,
            KafkaSource<TopicInput<FeatureVector>> featureSource,
            KafkaSource<TopicInput<CanonicalEvent>> eventSource,
            long millisPerVector,
            String failure) {
        JobSetup.configure(env, config.source());
        DataStream<FeatureVector> vectors =
                env.fromSource(
                                featureSource,
                                LearningJob.featureWatermarks(config),
                                "features.user")
                        .uid(LearningJob.FEATURES_SOURCE_UID)
                        .map(new Slowdown<>(millisPerVector))
                        .returns(TopicInput.FEATURE_VECTORS)
                        .map(TopicInput::value)
                        .returns(FeatureVector.class);
        if (failure != null) {
            vectors =
                    vectors.map(
                                    new FailOnceAfterCheckpoint<>(
                                            failure, LearningJobTest.vectors.size() / 2))
                            .returns(FeatureVector.class);
        }
        DataStream<CanonicalEvent> events =
                env.fromSource(eventSource, LearningJob.eventWatermarks(config), "events.canonical")
                        .uid(LearningJob.EVENTS_SOURCE_UID)
                        // Skips the events the source passed over undecoded (not purchases).
                        .filter(TopicInput::isValid)
                        .map(TopicInput::value)
                        .returns(CanonicalEvent.class);
        DataStream<ModelPin> pins =
                env.fromSource(
                                LearningJob.pinSource(config),
                                LearningJob.pinWatermarks(),
                                "ml.model-pins")
                        .uid(LearningJob.PINS_SOURCE_UID)
                        .map(TopicInput::value)
                        .returns(ModelPin.class);
        LearningJob.Streams out = LearningJob.pipeline(vectors, events, pins, config);
        KafkaOptions kafka = config.kafka();
        out.examples().sinkTo(LearningJob.examplesSink(kafka)).uid(LearningJob.EXAMPLES_SINK_UID);
        LearningJob.writeModels(out.models(), LearningJob.modelsSink(kafka));
        LearningJob.writeDecisions(out.decisions(), LearningJob.decisionsSink(kafka));
        out.predictions()
                .sinkTo(LearningJob.predictionsSink(kafka))
                .uid(LearningJob.PREDICTIONS_SINK_UID);
        out.servedQuality()
                .sinkTo(LearningJob.servedQualitySink(kafka))
                .uid(LearningJob.SERVED_QUALITY_SINK_UID)
                .setParallelism(1);
        return out;
    }

    /**
     * What {@code ml.served-quality} says of each version is a plain join of {@code ml.predictions}
     * with {@code ml.training-examples} by view, summed per version: every labelled prediction
     * counted once, in its version and its probability bin.
     */
    private static void assertServedQualityIsThePlainJoin(
            List<Prediction> predictions,
            List<TrainingExample> examples,
            List<ServedQuality> records) {
        Map<String, TrainingExample> byView =
                examples.stream().collect(Collectors.toMap(e -> e.features().eventId(), e -> e));
        Map<Long, QualityCounts> expected = new TreeMap<>();
        for (Prediction p : predictions) {
            TrainingExample e = byView.get(p.eventId());
            if (e != null) {
                expected.computeIfAbsent(p.modelVersion(), v -> new QualityCounts())
                        .add(
                                new ServedOutcome(
                                        p.eventId(),
                                        p.modelVersion(),
                                        p.probability(),
                                        e.label(),
                                        e.labelTime()));
            }
        }
        // The newest record of each version is its total.
        Map<Long, ServedQuality> last = new TreeMap<>();
        records.forEach(r -> last.put(r.version(), r));
        assertThat(last.keySet()).isEqualTo(expected.keySet());
        long outcomes = 0;
        for (Map.Entry<Long, QualityCounts> v : expected.entrySet()) {
            ServedQuality want = v.getValue().toRecord("purchase-30m", v.getKey(), 0);
            ServedQuality got = last.get(v.getKey());
            assertThat(got.modelName()).isEqualTo("purchase-30m");
            assertThat(got.outcomes()).as("version %d", v.getKey()).isEqualTo(want.outcomes());
            assertThat(got.positives()).as("version %d", v.getKey()).isEqualTo(want.positives());
            assertThat(got.logLossSum())
                    .isCloseTo(want.logLossSum(), within(1e-9 * want.outcomes()));
            assertThat(got.predictedSum())
                    .isCloseTo(want.predictedSum(), within(1e-9 * want.outcomes()));
            assertThat(got.bins()).hasSameSizeAs(want.bins());
            for (int i = 0; i < want.bins().size(); i++) {
                ServedQuality.Bin a = got.bins().get(i);
                ServedQuality.Bin b = want.bins().get(i);
                assertThat(List.of(a.index(), a.positives(), a.negatives()))
                        .as("version %d, bin %d", v.getKey(), b.index())
                        .isEqualTo(List.of(b.index(), b.positives(), b.negatives()));
            }
            assertThat(got.lastLabelTime()).isEqualTo(want.lastLabelTime());
            outcomes += want.outcomes();
        }
        assertThat(outcomes).as("labelled predictions").isGreaterThan(predictions.size() / 2);
    }

    // ---- the tests ----

    @Test
    void theJobAsBuiltLabelsEveryViewAndSendsUnreadableRecordsToTheDeadLetterTopic()
            throws Exception {
        // Learning a horizon after each view; the other tests run the default, immediate feedback.
        LearningConfig config = freshConfig(Feedback.HORIZON);
        KafkaOptions kafka = config.kafka();
        KAFKA.produceStrings(
                kafka.topic(Topics.FEATURES_USER),
                List.of(Map.entry("u-1", "{\"eventId\": \"broken\"")));
        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        LearningJob.of(config).build(env);
        env.execute("learning, as built");

        List<TrainingExample> examples = decode(Topics.ML_TRAINING_EXAMPLES, kafka);
        assertLabelledExactlyOnceAsTheRescanSays(examples);
        assertGatedVersions(
                decode(Topics.ML_MODEL_DECISIONS, kafka),
                decode(Topics.ML_MODELS, kafka),
                decode(Topics.ML_PREDICTIONS, kafka),
                examples,
                Feedback.HORIZON);
        assertServedQualityIsThePlainJoin(
                decode(Topics.ML_PREDICTIONS, kafka),
                examples,
                decode(Topics.ML_SERVED_QUALITY, kafka));
        List<DeadLetter> dead = decode(Topics.EVENTS_DLQ, kafka);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).originTopic()).isEqualTo(kafka.topic(Topics.FEATURES_USER));
        assertThat(dead.get(0).reason().name()).isEqualTo("MALFORMED_JSON");
    }

    @Test
    void learnsWhatTheGeneratingModelKnowsAndPredictionsCarryVersionsThatScoreIdenticallyInFlinkMl()
            throws Exception {
        LearningConfig config = freshConfig(Feedback.IMMEDIATE);
        KafkaOptions kafka = config.kafka();
        String failure = "learning-eos" + kafka.topicSuffix();
        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        LearningJob.Streams out =
                learningJob(
                        env,
                        config,
                        LearningJob.featureSource(config),
                        LearningJob.eventSource(config),
                        1,
                        failure);
        String earlyTopic = writeEarlyExamples(out, kafka);
        env.execute("learning with an injected failure");
        assertThat(FailOnceAfterCheckpoint.hasFailed(failure)).as("failure injected").isTrue();

        // Exactly-once across the failure: every view labelled once, as a plain re-scan says.
        List<TrainingExample> examples = decode(Topics.ML_TRAINING_EXAMPLES, kafka);
        assertLabelledExactlyOnceAsTheRescanSays(examples);
        // And learned once as a fake negative, and once more as a positive if it is one, never
        // before its purchase.
        assertEarlyExamplesAreTheFinalLabelsOnce(
                decode(Topics.ML_TRAINING_EXAMPLES, KAFKA.drain(earlyTopic)), examples);

        // The trainer continued from its state: candidates 1..N once each, cut every 500
        // examples, and only promoted ones served.
        List<ModelUpdate> models = decode(Topics.ML_MODELS, kafka);
        List<ModelDecision> decisions = decode(Topics.ML_MODEL_DECISIONS, kafka);
        List<Prediction> predictions = decode(Topics.ML_PREDICTIONS, kafka);
        assertGatedVersions(decisions, models, predictions, examples, config.feedback());

        // It learned. The models' own progressive metrics are read mid-stream, away from the start
        // (little learned yet) and the end of input (a view whose purchase would come after the
        // data ends is labelled negative).
        ModelUpdate mid = decisions.get(decisions.size() / 2).model();
        double rate =
                examples.stream().filter(TrainingExample::label).count() / (double) examples.size();
        double baseLogLoss = -(rate * Math.log(rate) + (1 - rate) * Math.log(1 - rate));
        double trueAuc = auc(examples, e -> truePurchaseProbability(e.features()));
        Map<String, Boolean> labels =
                examples.stream()
                        .collect(
                                Collectors.toMap(
                                        e -> e.features().eventId(), TrainingExample::label));
        // In this backlog run the scored vectors run a horizon of event time ahead of the labels,
        // so early predictions come from models that learned little; judge those of models that
        // learned from at least 5,000 examples.
        List<Prediction> mature =
                predictions.stream()
                        .filter(p -> p.modelVersion() * PUBLISH_EVERY >= 5_000)
                        .collect(Collectors.toList());
        double predictionAuc = auc(mature, p -> p.probability(), p -> labels.get(p.eventId()));
        System.out.printf(
                "learning: %d examples, positive rate %.3f, base log loss %.4f; model v%d: log loss"
                        + " %.4f, progressive AUC %.3f; AUC of %d real-time predictions %.3f;"
                        + " generating model's AUC %.3f%n",
                examples.size(),
                rate,
                baseLogLoss,
                mid.version(),
                mid.logLoss(),
                mid.auc(),
                mature.size(),
                predictionAuc,
                trueAuc);
        assertThat(mid.logLoss()).isLessThan(baseLogLoss);
        // Half of the generating model's lift over chance: its terms reach the features only
        // through noisy history (quality through conversion, mood through sentiment, ...).
        double threshold = 0.5 + 0.5 * (trueAuc - 0.5);
        assertThat(mid.auc()).isFinite().isGreaterThan(threshold);
        assertThat(mature).hasSizeGreaterThan(2_000);
        assertThat(predictionAuc).isFinite().isGreaterThan(threshold);

        // What users got, as the job measured it across the failure: the plain join's figures.
        List<ServedQuality> served = decode(Topics.ML_SERVED_QUALITY, kafka);
        assertServedQualityIsThePlainJoin(predictions, examples, served);
        Map<Long, ServedQuality> lastOfVersion = new TreeMap<>();
        served.forEach(q -> lastOfVersion.put(q.version(), q));
        ServedQuality all =
                ServedQuality.sum("purchase-30m", new ArrayList<>(lastOfVersion.values()));
        System.out.printf(
                "served: %d labelled predictions of %d versions: log loss %.4f (base rate's %.4f),"
                        + " AUC %.3f, mean predicted %.3f, positive rate %.3f%n",
                all.outcomes(),
                lastOfVersion.size(),
                all.logLoss(),
                all.baseRateLogLoss(),
                all.auc(),
                all.meanPredicted(),
                all.positiveRate());

        // Predictions: one per scored view, with versions that were published, and each one is
        // what Flink ML's servable outside Flink says for that version.
        assertThat(predictions).extracting(Prediction::eventId).doesNotHaveDuplicates();
        // Views are scored from the first model on: about the last third of this run.
        assertThat(predictions.size()).isGreaterThan(vectors.size() / 10);
        System.out.printf("gate: %d of %d candidates promoted%n", models.size(), decisions.size());
        Map<Long, ModelUpdate> byVersion =
                models.stream().collect(Collectors.toMap(ModelUpdate::version, m -> m));
        assertThat(predictions.stream().map(Prediction::modelVersion).distinct().count())
                .isGreaterThan(3);
        List<Prediction> sample = new ArrayList<>(predictions);
        Collections.shuffle(sample, new Random(3));
        for (Prediction p : sample.subList(0, 200)) {
            ModelUpdate model = byVersion.get(p.modelVersion());
            assertThat(model).as("model version %d", p.modelVersion()).isNotNull();
            FeatureVector v = vectors.get(p.eventId());
            assertThat(p.userId()).isEqualTo(v.userId());
            assertThat(p.itemId()).isEqualTo(v.itemId());
            assertThat(p.probability()).isEqualTo(plainServableScore(model, v.values()));
        }
    }

    /**
     * A learning job redeployed without state (or a second deployment) on the same topics: it
     * scores every view from the first with the version served before, numbers its candidates after
     * every version given before and judges them against the served one.
     */
    @Test
    void aJobStartedWithoutStateServesThePromotedVersionAtOnceAndNumbersItsCandidatesAfterIt()
            throws Exception {
        LearningConfig config = freshConfig();
        KafkaOptions kafka = config.kafka();
        runAsBuilt(config, "learning, first deployment");
        List<ModelDecision> decidedBefore = decode(Topics.ML_MODEL_DECISIONS, kafka);
        List<ModelUpdate> servedBefore = decode(Topics.ML_MODELS, kafka);
        Map<Integer, Long> ends = predictionEnds(kafka);
        int predictionsBefore = decode(Topics.ML_PREDICTIONS, kafka).size();
        List<TrainingExample> examplesBefore = decode(Topics.ML_TRAINING_EXAMPLES, kafka);
        ModelUpdate served = servedBefore.get(servedBefore.size() - 1);
        long lastVersion = decidedBefore.get(decidedBefore.size() - 1).version();
        // Views scored by the first deployment: not those before its first promotion.
        assertThat(predictionsBefore).isLessThan(vectors.size());

        // The same job again, without state: a new consumer group from the earliest offsets.
        LearningConfig fresh = withGroup(config, "learning-again");
        runAsBuilt(fresh, "learning, redeployed without state");

        // The second deployment's predictions: those after the first's in each partition.
        List<Prediction> again = predictionsAfter(kafka, ends);
        assertThat(again.stream().map(Prediction::eventId).collect(Collectors.toSet()))
                .as("every view scored, from the first")
                .isEqualTo(vectors.keySet());
        assertThat(again).hasSize(vectors.size());
        long byServed = again.stream().filter(p -> p.modelVersion() == served.version()).count();
        System.out.printf(
                "redeployed without state: %d views scored, %d of them by v%d served before%n",
                again.size(), byServed, served.version());
        assertThat(byServed).isPositive();
        List<ModelDecision> decisions = decode(Topics.ML_MODEL_DECISIONS, kafka);
        List<ModelUpdate> models = decode(Topics.ML_MODELS, kafka);
        List<TrainingExample> examples = decode(Topics.ML_TRAINING_EXAMPLES, kafka);
        System.out.printf(
                "redeployed: %d of %d candidates promoted against v%d%n",
                models.size() - servedBefore.size(),
                decisions.size() - decidedBefore.size(),
                served.version());
        assertGatedVersions(
                decisions.subList(decidedBefore.size(), decisions.size()),
                models.subList(servedBefore.size(), models.size()),
                again,
                // The same views, labelled again as before.
                examplesBefore,
                config.feedback(),
                lastVersion,
                served.version());
    }

    /**
     * An operator pins an early promoted version: a deployment started without state serves it for
     * every view, although its own trainer promotes newer ones; once unpinned, the next deployment
     * serves promoted versions again. (Pins across a restore with state: {@code
     * ScoringFunctionTest}.)
     */
    @Test
    void aPinnedVersionIsServedByEveryDeploymentUntilItIsUnpinned() throws Exception {
        // Half the views (all purchases), the first hour: enough for a few dozen candidates, which
        // with immediate feedback are decided only from the first horizon's end.
        KafkaOptions kafka = kafka(KAFKA.createRegistryTopics(KafkaBrokerExtension.uniqueSuffix()));
        Map<Integer, Long> featureEnds = new HashMap<>();
        featureRecords.forEach(r -> featureEnds.merge(r.partition(), r.offset() + 1, Math::max));
        List<ConsumerRecord<byte[], byte[]>> half =
                featureRecords.stream()
                        .filter(r -> r.offset() < featureEnds.get(r.partition()) / 2)
                        .collect(Collectors.toList());
        List<ProducerRecord<byte[], byte[]>> copy = new ArrayList<>();
        copyTo(kafka.topic(Topics.EVENTS_CANONICAL), canonicalRecords, copy);
        copyTo(kafka.topic(Topics.FEATURES_USER), half, copy);
        KAFKA.produce(copy);
        LearningConfig config = freshConfig(kafka);
        String model = config.modelName();
        runAsBuilt(config, "learning, before the pin");
        List<ModelUpdate> promoted = decode(Topics.ML_MODELS, kafka);
        assertThat(promoted).hasSizeGreaterThan(2);
        ModelUpdate pinned = promoted.get(0);
        ModelUpdate newest = promoted.get(promoted.size() - 1);

        // Only a promoted version can be pinned.
        decode(Topics.ML_MODEL_DECISIONS, kafka).stream()
                .filter(d -> !d.promoted())
                .findFirst()
                .ifPresent(
                        rejected ->
                                assertThatThrownBy(
                                                () ->
                                                        ModelPins.pinOf(
                                                                kafka,
                                                                model,
                                                                rejected.version(),
                                                                1))
                                        .isInstanceOf(IllegalArgumentException.class)
                                        .hasMessageContaining(
                                                "was rejected by the promotion gate"));
        assertThatThrownBy(() -> ModelPins.pinOf(kafka, model, 999_999, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is neither on");
        ModelPin pin = ModelPins.pinOf(kafka, model, pinned.version(), System.currentTimeMillis());
        assertThat(pin.model()).isEqualTo(pinned);
        ModelPins.write(kafka, pin);

        Map<Integer, Long> ends = predictionEnds(kafka);
        runAsBuilt(withGroup(config, "pinned"), "learning, pinned");
        List<Prediction> whilePinned = predictionsAfter(kafka, ends);
        assertThat(whilePinned).hasSize(half.size());
        assertThat(whilePinned)
                .as("every view scored by the pinned version")
                .isNotEmpty()
                .allSatisfy(p -> assertThat(p.modelVersion()).isEqualTo(pinned.version()));
        List<ModelUpdate> promotedWhilePinned = decode(Topics.ML_MODELS, kafka);
        assertThat(promotedWhilePinned.size())
                .as("the trainer went on promoting")
                .isGreaterThan(promoted.size());

        ModelPins.write(kafka, ModelPin.unpin(model, System.currentTimeMillis()));
        ends = predictionEnds(kafka);
        runAsBuilt(withGroup(config, "unpinned"), "learning, unpinned");
        List<Prediction> afterUnpin = predictionsAfter(kafka, ends);
        Set<Long> promotedVersions =
                decode(Topics.ML_MODELS, kafka).stream()
                        .map(ModelUpdate::version)
                        .collect(Collectors.toSet());
        long newestBefore = promotedWhilePinned.get(promotedWhilePinned.size() - 1).version();
        System.out.printf(
                "pinned v%d (newest v%d): %,d predictions all by it; unpinned: %,d predictions,"
                        + " %,d by v%d%n",
                pinned.version(),
                newest.version(),
                whilePinned.size(),
                afterUnpin.size(),
                afterUnpin.stream().filter(p -> p.modelVersion() == newestBefore).count(),
                newestBefore);
        assertThat(afterUnpin)
                .isNotEmpty()
                .allSatisfy(
                        p -> {
                            assertThat(p.modelVersion()).isNotEqualTo(pinned.version());
                            assertThat(promotedVersions).contains(p.modelVersion());
                        });
        assertThat(afterUnpin)
                .anySatisfy(p -> assertThat(p.modelVersion()).isEqualTo(newestBefore));
    }

    /**
     * The same job with a new consumer group: it starts without state from the earliest offsets.
     */
    private static LearningConfig withGroup(LearningConfig config, String group) {
        return new LearningConfig(
                config.kafka(),
                new SourceOptions(
                        group + config.kafka().topicSuffix(),
                        "earliest",
                        true,
                        2,
                        null,
                        config.source().outOfOrderness(),
                        config.source().idleness()),
                config.modelName(),
                config.horizon(),
                config.allowedLateness(),
                config.ftrl(),
                config.publishEvery(),
                config.publishInterval(),
                config.gate(),
                config.feedback(),
                config.drift(),
                config.featureDrift());
    }

    private static Map<Integer, Long> predictionEnds(KafkaOptions kafka) {
        Map<Integer, Long> ends = new HashMap<>();
        KAFKA.drain(kafka.topic(Topics.ML_PREDICTIONS))
                .forEach(r -> ends.merge(r.partition(), r.offset() + 1, Math::max));
        return ends;
    }

    /** The predictions after the given end offsets, in each partition. */
    private static List<Prediction> predictionsAfter(KafkaOptions kafka, Map<Integer, Long> ends) {
        return decode(
                Topics.ML_PREDICTIONS,
                KAFKA.drain(kafka.topic(Topics.ML_PREDICTIONS)).stream()
                        .filter(r -> r.offset() >= ends.getOrDefault(r.partition(), 0L))
                        .collect(Collectors.toList()));
    }

    private static void runAsBuilt(LearningConfig config, String name) throws Exception {
        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        LearningJob.of(config).build(env);
        env.execute(name);
    }

    /**
     * The feature job pauses for longer than an idleness timeout (30 s) halfway, while every
     * purchase is already on events.canonical: the label join must not run ahead on the purchases
     * alone. Every view is still labelled exactly as the re-scan says, and learned early once as a
     * fake negative and once more as a positive if it is one (the default feedback).
     *
     * <p>The pause is an upgrade to a new feature spec: the feature job wrote spec 1 vectors (what
     * {@code --feature-spec 1} emits: the first 41 values of spec 2's) and comes back writing spec
     * 2 (eight features more). Spec 2's examples start their own line of the model, numbered in its
     * own block, while spec 1's views still waiting for their labels go on training spec 1's; each
     * vector is scored by a version of its own spec's line, and spec 2's vectors are scored once
     * its line's first version is promoted.
     */
    @Test
    void whileTheFeatureJobIsPausedForAnUpgradeToSpec2TheJoinWaitsAndLearningGoesOn()
            throws Exception {
        KafkaOptions kafka = kafka(KAFKA.createRegistryTopics(KafkaBrokerExtension.uniqueSuffix()));
        List<ProducerRecord<byte[], byte[]>> firstPart = new ArrayList<>();
        copyTo(kafka.topic(Topics.EVENTS_CANONICAL), canonicalRecords, firstPart);
        Map<Integer, Long> featureEnds = new HashMap<>();
        featureRecords.forEach(r -> featureEnds.merge(r.partition(), r.offset() + 1, Math::max));
        List<ConsumerRecord<byte[], byte[]>> firstHalf = new ArrayList<>();
        List<ConsumerRecord<byte[], byte[]>> secondHalf = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : featureRecords) {
            (r.offset() < featureEnds.get(r.partition()) / 2 ? firstHalf : secondHalf).add(r);
        }
        for (ConsumerRecord<byte[], byte[]> r : firstHalf) {
            FeatureVector v = decode(Topics.FEATURES_USER, List.of(r)).get(0);
            firstPart.add(
                    new ProducerRecord<>(
                            kafka.topic(Topics.FEATURES_USER),
                            r.partition(),
                            r.timestamp(),
                            r.key(),
                            Topics.FEATURES_USER.valueCodec().encode(toSpec1(v)),
                            r.headers()));
        }
        Set<String> spec1Views = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : firstHalf) {
            spec1Views.add(decode(Topics.FEATURES_USER, List.of(r)).get(0).eventId());
        }
        Set<String> spec2Views = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : secondHalf) {
            spec2Views.add(decode(Topics.FEATURES_USER, List.of(r)).get(0).eventId());
        }
        KAFKA.produce(firstPart);
        LearningConfig bounded = freshConfig(kafka);
        LearningConfig config =
                new LearningConfig(
                        kafka,
                        bounded.source().withStart("earliest", false),
                        bounded.modelName(),
                        bounded.horizon(),
                        bounded.allowedLateness(),
                        bounded.ftrl(),
                        bounded.publishEvery(),
                        bounded.publishInterval(),
                        bounded.gate(),
                        bounded.feedback(),
                        bounded.drift(),
                        bounded.featureDrift());
        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        String earlyTopic = writeEarlyExamples(LearningJob.of(config).build(env), kafka);
        JobClient job = env.executeAsync("learning, the feature job pausing");
        // Every vector so far read.
        FlinkTestCluster.awaitRecordsRead(FLINK, job, "Kafka: features.user", firstHalf.size());
        long labelledBeforePause = decode(Topics.ML_TRAINING_EXAMPLES, kafka).size();
        Thread.sleep(35_000);
        List<ProducerRecord<byte[], byte[]>> rest = new ArrayList<>();
        copyTo(kafka.topic(Topics.FEATURES_USER), secondHalf, rest);
        KAFKA.produce(rest);
        FlinkTestCluster.awaitRecordsRead(
                FLINK, job, "Kafka: features.user", featureRecords.size());
        FlinkTestCluster.awaitRecordsRead(
                FLINK, job, "Kafka: events.canonical", canonicalRecords.size());
        job.stopWithSavepoint(true, savepointDir(), SavepointFormatType.CANONICAL)
                .get(2, TimeUnit.MINUTES);

        List<TrainingExample> examples = decode(Topics.ML_TRAINING_EXAMPLES, kafka);
        System.out.printf(
                "learning, feature job paused: %d examples before the pause, %d in all%n",
                labelledBeforePause, examples.size());
        assertThat(labelledBeforePause).isPositive().isLessThan(examples.size() / 2 + 1);
        assertLabelledExactlyOnceAsTheRescanSays(examples, spec1Views);
        assertEarlyExamplesAreTheFinalLabelsOnce(
                decode(Topics.ML_TRAINING_EXAMPLES, KAFKA.drain(earlyTopic)), examples, spec1Views);
        assertThat(decode(Topics.EVENTS_DLQ, kafka)).isEmpty();

        // Two lines: candidates decided once each in order, each in its spec's block, keyed by its
        // line on ml.model-decisions and ml.models.
        Map<Integer, List<ModelDecision>> bySpec = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r :
                KAFKA.drain(kafka.topic(Topics.ML_MODEL_DECISIONS))) {
            ModelDecision d = decode(Topics.ML_MODEL_DECISIONS, List.of(r)).get(0);
            int spec = d.model().specVersion();
            assertThat(new String(r.key(), StandardCharsets.UTF_8))
                    .isEqualTo(ModelLines.key(config.modelName(), spec));
            assertThat(d.model().coefficients().size()).isEqualTo(FeatureSpec.size(spec));
            bySpec.computeIfAbsent(spec, k -> new ArrayList<>()).add(d);
        }
        assertThat(bySpec).containsOnlyKeys(1, 2);
        for (Map.Entry<Integer, List<ModelDecision>> line : bySpec.entrySet()) {
            long first = ModelLines.versionsAfter(line.getKey()) + 1;
            assertThat(line.getValue())
                    .extracting(ModelDecision::version)
                    .as("spec %d's line", line.getKey())
                    .containsExactlyElementsOf(
                            LongStream.range(first, first + line.getValue().size())
                                    .boxed()
                                    .toList());
        }
        for (ConsumerRecord<byte[], byte[]> r : KAFKA.drain(kafka.topic(Topics.ML_MODELS))) {
            ModelUpdate m = decode(Topics.ML_MODELS, List.of(r)).get(0);
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(m.lineKey());
        }
        // Each vector scored by its own spec's line; spec 2's once its line served.
        List<Prediction> predictions = decode(Topics.ML_PREDICTIONS, kafka);
        long bySpec2 = 0;
        for (Prediction p : predictions) {
            int spec = spec2Views.contains(p.eventId()) ? 2 : 1;
            assertThat(ModelLines.specOf(p.modelVersion())).as(p.eventId()).isEqualTo(spec);
            bySpec2 += spec == 2 ? 1 : 0;
        }
        System.out.printf(
                "learning, upgraded to spec 2: %d and %d candidates of specs 1 and 2, %,d of"
                        + " %,d spec-2 vectors scored by spec 2's line%n",
                bySpec.get(1).size(), bySpec.get(2).size(), bySpec2, spec2Views.size());
        assertThat(bySpec2).as("spec 2's vectors scored").isPositive();
    }

    /** The vector as {@code --feature-spec 1} makes it: spec 2's first 41 values. */
    private static FeatureVector toSpec1(FeatureVector v) {
        return new FeatureVector(
                v.eventId(),
                v.userId(),
                v.itemId(),
                v.eventTime(),
                1,
                new DenseVector(FeatureSpec.asVersion(v.values().values, 1)));
    }

    /** The values a view's examples must carry: its vector's, cut to spec 1 if it came as one. */
    private static double[] expectedValues(String eventId, Set<String> spec1Views) {
        FeatureVector v = vectors.get(eventId);
        return (spec1Views.contains(eventId) ? toSpec1(v) : v).values().values;
    }

    @Test
    void afterASavepointRestoreInANewClusterTheTrainerContinuesFromItsWeights() throws Exception {
        LearningConfig bounded = freshConfig();
        // Unbounded sources, as in production: the job runs until it is stopped.
        LearningConfig config =
                new LearningConfig(
                        bounded.kafka(),
                        bounded.source().withStart("earliest", false),
                        bounded.modelName(),
                        bounded.horizon(),
                        bounded.allowedLateness(),
                        bounded.ftrl(),
                        bounded.publishEvery(),
                        bounded.publishInterval(),
                        bounded.gate(),
                        bounded.feedback(),
                        bounded.drift(),
                        bounded.featureDrift());
        KafkaOptions kafka = config.kafka();

        // First part: slowed, stopped with a savepoint once a few models are out.
        StreamExecutionEnvironment first = FlinkTestCluster.environment();
        learningJob(
                first,
                config,
                LearningJob.featureSource(config),
                LearningJob.eventSource(config),
                1,
                null);
        JobClient running = first.executeAsync("learning, first part");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (decode(Topics.ML_MODEL_DECISIONS, kafka).size() < 12) {
            assertThat(System.nanoTime()).as("twelve versions decided").isLessThan(deadline);
            Thread.sleep(500);
        }
        String savepoint =
                running.stopWithSavepoint(false, savepointDir(), SavepointFormatType.CANONICAL)
                        .get(2, TimeUnit.MINUTES);
        List<ModelUpdate> before =
                decode(Topics.ML_MODEL_DECISIONS, kafka).stream()
                        .map(ModelDecision::model)
                        .sorted(Comparator.comparingLong(ModelUpdate::version))
                        .collect(Collectors.toList());

        // Second part, in a new MiniCluster, every operator's state restored: read to the end,
        // then stop with a drain (the end of event time labels every view still waiting).
        StreamExecutionEnvironment second = FlinkTestCluster.environment();
        learningJob(
                second,
                config,
                LearningJob.featureSource(config),
                LearningJob.eventSource(config),
                0,
                null);
        StreamGraph graph = second.getStreamGraph();
        graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
        try (MiniCluster newCluster = FlinkTestCluster.startNewCluster()) {
            JobID job = newCluster.submitJob(graph).get().getJobID();
            KAFKA.awaitCommitted(
                    config.source().groupId(),
                    KAFKA.endOffsets(
                            kafka.topic(Topics.FEATURES_USER),
                            kafka.topic(Topics.EVENTS_CANONICAL)));
            newCluster
                    .stopWithSavepoint(job, savepointDir(), true, SavepointFormatType.CANONICAL)
                    .get(2, TimeUnit.MINUTES);
            newCluster.requestJobResult(job).get(2, TimeUnit.MINUTES);
        }

        List<TrainingExample> examples = decode(Topics.ML_TRAINING_EXAMPLES, kafka);
        assertLabelledExactlyOnceAsTheRescanSays(examples);
        List<ModelDecision> decisions = decode(Topics.ML_MODEL_DECISIONS, kafka);
        assertGatedVersions(
                decisions,
                decode(Topics.ML_MODELS, kafka),
                decode(Topics.ML_PREDICTIONS, kafka),
                examples,
                config.feedback());
        List<ModelUpdate> models =
                decisions.stream().map(ModelDecision::model).collect(Collectors.toList());
        // The first version after the restore is a small step from the last before, not a new
        // model growing from zero weights, and the log loss does not jump back.
        ModelUpdate lastBefore = before.get(before.size() - 1);
        ModelUpdate firstAfter = models.get(before.size());
        assertThat(firstAfter.version()).isEqualTo(lastBefore.version() + 1);
        double[] a = lastBefore.coefficients().values;
        double[] b = firstAfter.coefficients().values;
        double change = 0, norm = 0;
        for (int i = 0; i < a.length; i++) {
            change += (a[i] - b[i]) * (a[i] - b[i]);
            norm += a[i] * a[i];
        }
        assertThat(Math.sqrt(change / norm))
                .as("relative change of the weights")
                .isLessThan(0.5); // a model learning afresh would be nearly all change
        assertThat(firstAfter.logLoss()).isCloseTo(lastBefore.logLoss(), within(0.05));
    }

    // ---- checks ----

    /** Every view labelled exactly once: positive iff the user bought the item within 30 min. */
    private static void assertLabelledExactlyOnceAsTheRescanSays(List<TrainingExample> examples) {
        assertLabelledExactlyOnceAsTheRescanSays(examples, Set.of());
    }

    private static void assertLabelledExactlyOnceAsTheRescanSays(
            List<TrainingExample> examples, Set<String> spec1Views) {
        assertThat(examples).extracting(e -> e.features().eventId()).doesNotHaveDuplicates();
        assertThat(examples.stream().map(e -> e.features().eventId()).collect(Collectors.toSet()))
                .isEqualTo(vectors.keySet());
        long positives = 0;
        for (TrainingExample e : examples) {
            FeatureVector v = e.features();
            List<Long> bought = purchases.getOrDefault(v.userId() + "|" + v.itemId(), List.of());
            boolean expected =
                    bought.stream()
                            .anyMatch(t -> t >= v.eventTime() && t <= v.eventTime() + HORIZON_MS);
            assertThat(e.label()).as(v.eventId()).isEqualTo(expected);
            assertThat(e.features().values().values)
                    .isEqualTo(expectedValues(v.eventId(), spec1Views));
            positives += expected ? 1 : 0;
        }
        assertThat(positives).as("positive examples").isGreaterThan(examples.size() / 20);
    }

    /**
     * What the trainer learns from with immediate feedback, written out for a test only: the topic
     * it goes to.
     */
    private static String writeEarlyExamples(LearningJob.Streams out, KafkaOptions kafka) {
        String earlyTopic = KAFKA.createTopic("early-examples" + kafka.topicSuffix(), 2);
        out.early()
                .sinkTo(
                        kafka.sink(
                                "early",
                                new TopicSerializer<>(
                                        earlyTopic,
                                        Topics.ML_TRAINING_EXAMPLES.valueCodec(),
                                        e -> e.features().userId(),
                                        TrainingExample::labelTime)))
                .uid("early-examples-sink");
        return earlyTopic;
    }

    /**
     * The early examples: one fake negative for every view labelled, at its own time, and one early
     * positive for every view labelled positive, at a purchase of the item within its horizon.
     */
    private static void assertEarlyExamplesAreTheFinalLabelsOnce(
            List<TrainingExample> early, List<TrainingExample> examples) {
        assertEarlyExamplesAreTheFinalLabelsOnce(early, examples, Set.of());
    }

    private static void assertEarlyExamplesAreTheFinalLabelsOnce(
            List<TrainingExample> early, List<TrainingExample> examples, Set<String> spec1Views) {
        List<String> negatives = new ArrayList<>();
        List<String> positives = new ArrayList<>();
        for (TrainingExample e : early) {
            FeatureVector v = e.features();
            assertThat(v.values().values).isEqualTo(expectedValues(v.eventId(), spec1Views));
            if (e.label()) {
                positives.add(v.eventId());
                assertThat(purchases.getOrDefault(v.userId() + "|" + v.itemId(), List.of()))
                        .as("%s positive at a purchase within its horizon", v.eventId())
                        .contains(e.labelTime());
                assertThat(e.labelTime()).isBetween(v.eventTime(), v.eventTime() + HORIZON_MS);
            } else {
                negatives.add(v.eventId());
                assertThat(e.labelTime()).isEqualTo(v.eventTime());
            }
        }
        assertThat(negatives).as("fake negatives").doesNotHaveDuplicates();
        assertThat(new HashSet<>(negatives)).isEqualTo(vectors.keySet());
        assertThat(positives).as("early positives").doesNotHaveDuplicates();
        assertThat(new HashSet<>(positives))
                .isEqualTo(
                        examples.stream()
                                .filter(TrainingExample::label)
                                .map(e -> e.features().eventId())
                                .collect(Collectors.toSet()));
    }

    /**
     * Candidates 1..N decided once each and appended in version order (the topics have one
     * partition: read order is append order). Learning a horizon after the views, candidate v is
     * cut after exactly v * 500 examples and decided on the next 500, N = all / 500 - 1 (the last
     * candidate has no 500 examples after it); with immediate feedback, the first is cut after a
     * multiple of 500 early examples (replaced by fresher weights until the first final example
     * comes), each later one at least 500 after the one before, as the gate frees. {@code
     * ml.models} holds exactly the promoted candidates, in order; every decision follows the gate's
     * rule from its own figures; and every prediction was made by a promoted version: none worse
     * than the base rate on the examples after its cut was ever served.
     */
    private static void assertGatedVersions(
            List<ModelDecision> decisions,
            List<ModelUpdate> models,
            List<Prediction> predictions,
            List<TrainingExample> examples,
            Feedback feedback) {
        // A fresh line of the newest spec numbers its versions in that spec's block.
        assertGatedVersions(
                decisions,
                models,
                predictions,
                examples,
                feedback,
                ModelLines.versionsAfter(FeatureSpec.VERSION),
                0);
    }

    /**
     * As {@link #assertGatedVersions(List, List, List, List, Feedback)} for a trainer that started
     * without state after versions up to {@code lastVersionBefore} were given and {@code
     * servingBefore} was served: its candidates are numbered after them and judged against that
     * one.
     */
    private static void assertGatedVersions(
            List<ModelDecision> decisions,
            List<ModelUpdate> models,
            List<Prediction> predictions,
            List<TrainingExample> examples,
            Feedback feedback,
            long lastVersionBefore,
            long servingBefore) {
        assertThat(decisions)
                .extracting(ModelDecision::version)
                .as("candidates in the order they were decided")
                .isSorted();
        int n = examples.size();
        long learned = n;
        if (feedback == Feedback.HORIZON) {
            assertThat(decisions).hasSize(n / PUBLISH_EVERY - 1);
        } else {
            learned += examples.stream().filter(TrainingExample::label).count();
            assertThat(decisions.size())
                    .isGreaterThan(n / PUBLISH_EVERY / 2)
                    .isLessThanOrEqualTo((int) (learned / PUBLISH_EVERY));
        }
        long serving = servingBefore;
        long cutBefore = 0;
        for (int i = 0; i < decisions.size(); i++) {
            ModelDecision d = decisions.get(i);
            ModelUpdate m = d.model();
            assertThat(m.version()).isEqualTo(lastVersionBefore + i + 1);
            if (feedback == Feedback.HORIZON) {
                assertThat(m.examples()).isEqualTo((i + 1L) * PUBLISH_EVERY);
            } else if (i == 0) {
                // Replaced by fresher weights every 500 examples until the first final example.
                assertThat(m.examples() % PUBLISH_EVERY).isZero();
            } else {
                assertThat(m.examples())
                        .isGreaterThanOrEqualTo(cutBefore + PUBLISH_EVERY)
                        .isLessThanOrEqualTo(learned);
            }
            cutBefore = m.examples();
            assertThat(m.specVersion()).isEqualTo(FeatureSpec.VERSION);
            assertThat(m.coefficients().size()).isEqualTo(FeatureSpec.SIZE);
            assertThat(d.holdoutExamples()).isEqualTo(GATE.examples());
            assertThat(d.servingVersion()).as("v%d judged against", m.version()).isEqualTo(serving);
            boolean promote =
                    d.candidateLogLoss() < d.baseLogLoss()
                            && (serving == 0
                                    || d.candidateLogLoss()
                                            <= d.servingLogLoss() * (1 + GATE.tolerance()));
            assertThat(d.promoted()).as("v%d: %s", m.version(), d.reason()).isEqualTo(promote);
            if (d.promoted()) {
                serving = m.version();
            }
        }
        assertThat(models)
                .as("ml.models: the promoted candidates")
                .containsExactlyElementsOf(
                        decisions.stream()
                                .filter(ModelDecision::promoted)
                                .map(ModelDecision::model)
                                .collect(Collectors.toList()));
        if (servingBefore == 0) {
            assertThat(models).as("some candidates promoted").isNotEmpty();
        }
        Set<Long> promoted = models.stream().map(ModelUpdate::version).collect(Collectors.toSet());
        if (servingBefore > 0) {
            promoted.add(servingBefore);
        }
        assertThat(predictions).allSatisfy(p -> assertThat(promoted).contains(p.modelVersion()));
    }

    /** The generator's own purchase probability of a view (first view of it in its session). */
    private static double truePurchaseProbability(FeatureVector v) {
        int u = Integer.parseInt(v.userId().substring(2));
        int item = Integer.parseInt(v.itemId().substring(4));
        boolean inStore = v.values().get(FeatureSpec.IN_STORE) > 0;
        return simulator.world().purchaseProbability(u, item, inStore, 1);
    }

    private static double auc(
            List<TrainingExample> examples, ToDoubleFunction<TrainingExample> score) {
        return auc(examples, score, TrainingExample::label);
    }

    private static <T> double auc(
            List<T> items, ToDoubleFunction<T> score, Function<T, Boolean> label) {
        return ExactAuc.of(items, score, label);
    }

    /** The probability Flink ML's servable gives, loaded from the record's {@code modelData}. */
    private static double plainServableScore(ModelUpdate model, DenseVector features)
            throws Exception {
        // The record as read from ml.models carries the model in Flink ML's encoding.
        String json = new String(Topics.ML_MODELS.valueCodec().encode(model));
        String base64 =
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(json)
                        .get("modelData")
                        .textValue();
        LogisticRegressionModelServable servable =
                new LogisticRegressionModelServable()
                        .setModelData(new ByteArrayInputStream(Base64.getDecoder().decode(base64)));
        DataFrame out =
                servable.transform(
                        new DataFrame(
                                new ArrayList<>(List.of("features")),
                                new ArrayList<>(List.of(DataTypes.VECTOR(BasicType.DOUBLE))),
                                new ArrayList<>(
                                        List.of(new Row(new ArrayList<>(List.of(features)))))));
        DenseVector raw = out.collect().get(0).getAs(out.getIndex("rawPrediction"));
        return raw.get(1);
    }

    // ---- Kafka helpers ----

    private static <T> List<T> decode(Topic<String, T> topic, KafkaOptions kafka) {
        return decode(topic, KAFKA.drain(kafka.topic(topic)));
    }

    private static <T> List<T> decode(
            Topic<String, T> topic, List<ConsumerRecord<byte[], byte[]>> records) {
        List<T> values = new ArrayList<>(records.size());
        for (ConsumerRecord<byte[], byte[]> r : records) {
            var decoded = topic.valueCodec().decode(r.value());
            assertThat(decoded.isValid()).as("%s: %s", topic, decoded).isTrue();
            values.add(decoded.value());
        }
        return values;
    }

    private static String savepointDir() throws java.io.IOException {
        return java.nio.file.Files.createTempDirectory("eventml-learning-savepoint")
                .toUri()
                .toString();
    }
}
