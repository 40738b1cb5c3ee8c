package io.eventml.learning;

import io.eventml.common.config.JobArgs;
import io.eventml.common.config.JobSetup;
import io.eventml.common.config.KafkaOptions;
import io.eventml.common.config.ReportingKafkaSink;
import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.DeadLetter;
import io.eventml.common.event.EventType;
import io.eventml.common.features.FeatureVector;
import io.eventml.common.ml.DriftAlarm;
import io.eventml.common.ml.ModelDecision;
import io.eventml.common.ml.ModelLines;
import io.eventml.common.ml.ModelPin;
import io.eventml.common.ml.ModelUpdate;
import io.eventml.common.ml.Prediction;
import io.eventml.common.ml.ServedQuality;
import io.eventml.common.ml.TrainingExample;
import io.eventml.common.serde.Codec;
import io.eventml.common.serde.DecodeError;
import io.eventml.common.serde.Origin;
import io.eventml.common.serde.ReasonCode;
import io.eventml.common.state.SlottedOperators;
import io.eventml.common.topic.TopicDeserializer;
import io.eventml.common.topic.TopicInput;
import io.eventml.common.topic.TopicSerializer;
import io.eventml.common.topic.Topics;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * The learning job: {@code features.user} and the purchases on {@code events.canonical} in;
 * labelled examples, model versions and real-time predictions out, exactly-once.
 *
 * <pre>
 * features.user ----+--keyBy(user)--> Label join --examples--> keyBy(line) Online trainer --promoted---+--> ml.models
 * events.canonical -+  (purchases)         |  --early examples->  and promotion gate                     |
 *                                          +--> ml.training-examples      |  (feature drift) --> ml.drift v
 *                                                  ml.model-decisions <---+                           |
 * ml.model-pins (operators' pins) ---------------------------------------------------------------+
 * features.user -----------------------------------------------------------------------------> Scoring --> ml.predictions
 *                                                                                                  |
 * examples + predictions --keyBy(view)--> Served join --keyBy(model)--> Served quality --> ml.served-quality
 *                                                                        (drift test) --> ml.drift
 * </pre>
 */
public final class LearningJob {
    /** Stable uids: savepoints restore only into operators with these. Never change them. */
    public static final String FEATURES_SOURCE_UID = "learning-features-source";

    public static final String EVENTS_SOURCE_UID = "learning-canonical-source";
    public static final String PINS_SOURCE_UID = "learning-pins-source";
    public static final String LABEL_JOIN_UID = "learning-label-join";
    public static final String TRAINER_UID = "learning-trainer";
    public static final String SCORING_UID = "learning-scoring";
    public static final String EXAMPLES_SINK_UID = "learning-examples-sink";
    public static final String MODELS_SINK_UID = "learning-models-sink";
    public static final String DECISIONS_SINK_UID = "learning-decisions-sink";
    public static final String PREDICTIONS_SINK_UID = "learning-predictions-sink";
    public static final String DLQ_SINK_UID = "learning-dlq-sink";
    public static final String SERVED_JOIN_UID = "learning-served-join";
    public static final String SERVED_QUALITY_UID = "learning-served-quality";
    public static final String SERVED_QUALITY_SINK_UID = "learning-served-quality-sink";
    public static final String DRIFT_SINK_UID = "learning-drift-sink";

    /** Where the job writes. */
    public record Outputs(
            Sink<TrainingExample> examples,
            Sink<ModelUpdate> models,
            Sink<ModelDecision> decisions,
            Sink<Prediction> predictions,
            Sink<ServedQuality> servedQuality,
            Sink<DriftAlarm> drift,
            Sink<DeadLetter> deadLetters) {

        /** The Kafka topics of the registry. */
        public static Outputs kafka(KafkaOptions kafka) {
            return new Outputs(
                    examplesSink(kafka),
                    modelsSink(kafka),
                    decisionsSink(kafka),
                    predictionsSink(kafka),
                    servedQualitySink(kafka),
                    driftSink(kafka),
                    JobSetup.deadLetterSink(kafka));
        }
    }

    /** The streams the pipeline makes. */
    public record Streams(
            DataStream<TrainingExample> examples,
            DataStream<ModelUpdate> models,
            DataStream<ModelDecision> decisions,
            DataStream<Prediction> predictions,
            DataStream<ServedQuality> servedQuality,
            DataStream<FeatureVector> lateViews,
            DataStream<TrainingExample> early,
            DataStream<DriftAlarm> drift) {}

    private final LearningConfig config;
    private final Source<TopicInput<FeatureVector>, ?, ?> features;
    private final Source<TopicInput<CanonicalEvent>, ?, ?> events;
    private final Source<TopicInput<ModelPin>, ?, ?> pins;
    private final Outputs outputs;

    public LearningJob(
            LearningConfig config,
            Source<TopicInput<FeatureVector>, ?, ?> features,
            Source<TopicInput<CanonicalEvent>, ?, ?> events,
            Source<TopicInput<ModelPin>, ?, ?> pins,
            Outputs outputs) {
        this.config = config;
        this.features = features;
        this.events = events;
        this.pins = pins;
        this.outputs = outputs;
    }

    public static void main(String[] args) throws Exception {
        JobArgs jobArgs = JobArgs.parse("learning", args);
        LearningConfig config = LearningConfig.fromArgs(jobArgs);
        jobArgs.finish();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobSetup.checkTransactions(env, config.kafka());
        of(config).build(env);
        env.execute("EventML learning");
    }

    /** The job as {@link #main} runs it: Kafka in and out, as {@code config} says. */
    public static LearningJob of(LearningConfig config) {
        return new LearningJob(
                config,
                featureSource(config),
                eventSource(config),
                pinSource(config),
                Outputs.kafka(config.kafka()));
    }

    /** Adds the job to {@code env}; returns its streams, each already written to its sink. */
    public Streams build(StreamExecutionEnvironment env) {
        JobSetup.configure(env, config.source());
        DataStream<TopicInput<FeatureVector>> vectorInput =
                env.fromSource(features, featureWatermarks(config), "Kafka: features.user")
                        .uid(FEATURES_SOURCE_UID);
        DataStream<TopicInput<CanonicalEvent>> eventInput =
                env.fromSource(events, eventWatermarks(config), "Kafka: events.canonical")
                        .uid(EVENTS_SOURCE_UID);
        DataStream<TopicInput<ModelPin>> pinInput =
                env.fromSource(pins, pinWatermarks(), "Kafka: ml.model-pins").uid(PINS_SOURCE_UID);
        DataStream<FeatureVector> vectors =
                vectorInput
                        .filter(TopicInput::isValid)
                        .name("Readable vectors")
                        .map(TopicInput::value)
                        .returns(FeatureVector.class)
                        .name("Vector");
        DataStream<CanonicalEvent> canonical =
                eventInput
                        .filter(TopicInput::isValid)
                        .name("Readable events")
                        .map(TopicInput::value)
                        .returns(CanonicalEvent.class)
                        .name("Event");
        Streams out =
                pipeline(
                        vectors,
                        canonical,
                        pinInput.filter(TopicInput::isValid)
                                .name("Readable pins")
                                .map(TopicInput::value)
                                .returns(ModelPin.class)
                                .name("Pin"),
                        config);
        out.examples()
                .sinkTo(outputs.examples())
                .uid(EXAMPLES_SINK_UID)
                .name("Kafka: ml.training-examples");
        writeModels(out.models(), outputs.models());
        writeDecisions(out.decisions(), outputs.decisions());
        out.predictions()
                .sinkTo(outputs.predictions())
                .uid(PREDICTIONS_SINK_UID)
                .name("Kafka: ml.predictions");
        out.servedQuality()
                .sinkTo(outputs.servedQuality())
                .uid(SERVED_QUALITY_SINK_UID)
                .name("Kafka: ml.served-quality")
                .setParallelism(1);
        out.drift()
                .sinkTo(outputs.drift())
                .uid(DRIFT_SINK_UID)
                .name("Kafka: ml.drift")
                .setParallelism(1);
        String featuresTopic = config.kafka().topic(Topics.FEATURES_USER);
        Duration horizon = config.horizon();
        vectorInput
                .filter(TopicInput::isDeadLetter)
                .name("Unreadable vectors")
                .map(TopicInput::deadLetter)
                .returns(DeadLetter.class)
                .union(
                        eventInput
                                .filter(TopicInput::isDeadLetter)
                                .name("Unreadable events")
                                .map(TopicInput::deadLetter)
                                .returns(DeadLetter.class),
                        pinInput.filter(TopicInput::isDeadLetter)
                                .name("Unreadable pins")
                                .map(TopicInput::deadLetter)
                                .returns(DeadLetter.class),
                        out.lateViews()
                                .map(v -> lateViewLetter(v, featuresTopic, horizon))
                                .returns(DeadLetter.class)
                                .name("Late views"))
                .sinkTo(outputs.deadLetters())
                .uid(DLQ_SINK_UID)
                .name("Kafka: events.dlq");
        return out;
    }

    /**
     * Feature vectors and purchases (with event-time timestamps and watermarks) and operators' pins
     * to labelled examples, model versions and predictions. Events other than purchases are
     * ignored.
     */
    public static Streams pipeline(
            DataStream<FeatureVector> vectors,
            DataStream<CanonicalEvent> events,
            DataStream<ModelPin> pins,
            LearningConfig config) {
        SingleOutputStreamOperator<TrainingExample> examples =
                vectors.keyBy(FeatureVector::userId)
                        .connect(
                                events.filter(e -> e.type() == EventType.PURCHASE)
                                        .name("Purchases")
                                        .keyBy(CanonicalEvent::userId))
                        .transform(
                                "Label join",
                                TypeInformation.of(TrainingExample.class),
                                SlottedOperators.coProcess(
                                        new LabelJoinFunction(
                                                config.horizon(),
                                                config.allowedLateness(),
                                                config.feedback())))
                        .uid(LABEL_JOIN_UID)
                        .name("Label join");
        String model = config.modelName();
        ModelRegistry registry = ModelRegistry.kafka(config.kafka());
        DataStream<TrainingExample> early = examples.getSideOutput(LabelJoinFunction.EARLY);
        DataStream<TrainerInput> learned =
                examples.map(TrainerInput::labelled).returns(TrainerInput.class).name("Final");
        if (config.feedback() == Feedback.IMMEDIATE) {
            learned =
                    learned.union(
                            early.map(TrainerInput::early)
                                    .returns(TrainerInput.class)
                                    .name("Early"));
        }
        SingleOutputStreamOperator<ModelUpdate> models =
                OnlineTrainer.apply(
                                learned.keyBy(
                                        e ->
                                                ModelLines.key(
                                                        model,
                                                        e.example().features().specVersion())),
                                new OnlineTrainer(
                                        config.ftrl(),
                                        config.publishEvery(),
                                        config.publishInterval(),
                                        config.gate(),
                                        config.featureDrift(),
                                        config.feedback(),
                                        registry))
                        .uid(TRAINER_UID)
                        .name("Online trainer (FTRL) and promotion gate")
                        // Each line of the model learns from all its examples, in one place.
                        .setParallelism(1);
        DataStream<ServingUpdate> serving =
                models.map(ServingUpdate::promoted)
                        .returns(ServingUpdate.class)
                        .name("Promoted")
                        .union(
                                pins.map(ServingUpdate::pin)
                                        .returns(ServingUpdate.class)
                                        .name("Pinned"));
        DataStream<Prediction> predictions =
                vectors.connect(serving.broadcast(ScoringFunction.MODELS, ScoringFunction.PINS))
                        .process(new ScoringFunction(model, registry))
                        .uid(SCORING_UID)
                        .name("Scoring (Flink ML servable)");
        // What users got: each served prediction with its label, once known, summed per version.
        DataStream<ServedOutcome> outcomes =
                predictions
                        .keyBy(Prediction::eventId)
                        .connect(examples.keyBy(e -> e.features().eventId()))
                        .process(new ServedOutcomeJoin(config.horizon(), config.allowedLateness()))
                        .uid(SERVED_JOIN_UID)
                        .name("Served predictions with their labels");
        SingleOutputStreamOperator<ServedQuality> servedQuality =
                ServedQualityFunction.apply(
                                outcomes.keyBy(o -> model),
                                new ServedQualityFunction(
                                        config.horizon(), config.allowedLateness(), config.drift()))
                        .uid(SERVED_QUALITY_UID)
                        .name("Served quality")
                        .setParallelism(1);
        return new Streams(
                examples,
                models,
                models.getSideOutput(OnlineTrainer.DECISIONS),
                predictions,
                servedQuality,
                examples.getSideOutput(LabelJoinFunction.TOO_LATE),
                early,
                servedQuality
                        .getSideOutput(ServedQualityFunction.DRIFT)
                        .union(models.getSideOutput(OnlineTrainer.FEATURE_DRIFT)));
    }

    /**
     * A view the label join could not label for sure as a dead letter: reason {@code LATE_VIEW},
     * its vector's JSON as the payload.
     */
    public static DeadLetter lateViewLetter(
            FeatureVector view, String featuresTopic, Duration horizon) {
        return DeadLetter.of(
                new DecodeError(
                        ReasonCode.LATE_VIEW,
                        "view "
                                + view.eventId()
                                + " at "
                                + Instant.ofEpochMilli(view.eventTime())
                                + " reached the label join after the purchases that could label it"
                                + " within "
                                + horizon
                                + " were dropped (its horizon was further behind the watermark"
                                + " than the allowed lateness): it got no training example",
                        Origin.of(featuresTopic, -1, -1L)),
                null,
                Topics.FEATURES_USER.valueCodec().encode(view),
                DeadLetter.DEFAULT_MAX_PAYLOAD_BYTES,
                System.currentTimeMillis());
    }

    /**
     * Writes the model versions with one writer, like the trainer, so that they reach the compacted
     * {@code ml.models} in the order they were made.
     */
    public static void writeModels(DataStream<ModelUpdate> models, Sink<ModelUpdate> sink) {
        models.sinkTo(sink).uid(MODELS_SINK_UID).name("Kafka: ml.models").setParallelism(1);
    }

    /** Writes the gate's decisions with one writer, in the order they were made. */
    public static void writeDecisions(
            DataStream<ModelDecision> decisions, Sink<ModelDecision> sink) {
        decisions
                .sinkTo(sink)
                .uid(DECISIONS_SINK_UID)
                .name("Kafka: ml.model-decisions")
                .setParallelism(1);
    }

    /**
     * Pins carry no event time: they never hold back the scorer's watermark (the input goes idle
     * once read, and stays idle: it emits no watermark that would make it active again).
     */
    public static WatermarkStrategy<TopicInput<ModelPin>> pinWatermarks() {
        return WatermarkStrategy.<TopicInput<ModelPin>>noWatermarks()
                .withIdleness(Duration.ofSeconds(5));
    }

    /** {@code ml.model-pins}, read whole on a start without committed offsets. */
    public static KafkaSource<TopicInput<ModelPin>> pinSource(LearningConfig config) {
        return config.source()
                .controlSource(config.kafka(), Topics.ML_MODEL_PINS, TopicInput.MODEL_PINS);
    }

    public static WatermarkStrategy<TopicInput<FeatureVector>> featureWatermarks(
            LearningConfig config) {
        return config.source().inputWatermarks(FeatureVector::eventTime);
    }

    public static WatermarkStrategy<TopicInput<CanonicalEvent>> eventWatermarks(
            LearningConfig config) {
        return config.source().inputWatermarks(CanonicalEvent::eventTime);
    }

    public static KafkaSource<TopicInput<FeatureVector>> featureSource(LearningConfig config) {
        return config.source()
                .topicSource(config.kafka(), Topics.FEATURES_USER, TopicInput.FEATURE_VECTORS);
    }

    /**
     * The purchases on {@code events.canonical}: records whose type header names another type are
     * skipped undecoded (nineteen in twenty), records without it are decoded and filtered later.
     * The input's watermark therefore follows the purchases, which is all the label join waits for.
     */
    public static KafkaSource<TopicInput<CanonicalEvent>> eventSource(LearningConfig config) {
        return config.source()
                .topicSource(
                        config.kafka(),
                        Topics.EVENTS_CANONICAL,
                        new TopicDeserializer<>(
                                        Topics.EVENTS_CANONICAL.valueCodec(),
                                        TopicInput.CANONICAL_EVENTS)
                                .skipping(Topics.EVENT_TYPE_HEADER, LearningJob::isPurchase));
    }

    private static final byte[] PURCHASE = Codec.utf8().encode(EventType.PURCHASE.name());

    static boolean isPurchase(byte[] typeHeader) {
        return Arrays.equals(typeHeader, PURCHASE);
    }

    /** {@code ml.training-examples}: keyed by user, timestamped when the label became known. */
    public static ReportingKafkaSink<TrainingExample> examplesSink(KafkaOptions kafka) {
        return kafka.sink(
                "examples",
                new TopicSerializer<>(
                        kafka.topic(Topics.ML_TRAINING_EXAMPLES),
                        Topics.ML_TRAINING_EXAMPLES.valueCodec(),
                        e -> e.features().userId(),
                        TrainingExample::labelTime));
    }

    /** {@code ml.models}: keyed by model line (compacted), timestamped at publication. */
    public static ReportingKafkaSink<ModelUpdate> modelsSink(KafkaOptions kafka) {
        return kafka.sink(
                "models",
                new TopicSerializer<>(
                        kafka.topic(Topics.ML_MODELS),
                        Topics.ML_MODELS.valueCodec(),
                        ModelUpdate::lineKey,
                        ModelUpdate::createdAt));
    }

    /** {@code ml.model-decisions}: keyed by model line, timestamped when decided. */
    public static ReportingKafkaSink<ModelDecision> decisionsSink(KafkaOptions kafka) {
        return kafka.sink(
                "decisions",
                new TopicSerializer<>(
                        kafka.topic(Topics.ML_MODEL_DECISIONS),
                        Topics.ML_MODEL_DECISIONS.valueCodec(),
                        d -> d.model().lineKey(),
                        ModelDecision::decidedAt));
    }

    /** {@code ml.served-quality}: keyed by model name, timestamped when updated. */
    public static ReportingKafkaSink<ServedQuality> servedQualitySink(KafkaOptions kafka) {
        return kafka.sink(
                "served-quality",
                new TopicSerializer<>(
                        kafka.topic(Topics.ML_SERVED_QUALITY),
                        Topics.ML_SERVED_QUALITY.valueCodec(),
                        ServedQuality::modelName,
                        ServedQuality::updatedAt));
    }

    /** {@code ml.drift}: keyed by model name, timestamped when the detector fired. */
    public static ReportingKafkaSink<DriftAlarm> driftSink(KafkaOptions kafka) {
        return kafka.sink(
                "drift",
                new TopicSerializer<>(
                        kafka.topic(Topics.ML_DRIFT),
                        Topics.ML_DRIFT.valueCodec(),
                        DriftAlarm::modelName,
                        DriftAlarm::detectedAt));
    }

    /** {@code ml.predictions}: keyed by user, timestamped when scored. */
    public static ReportingKafkaSink<Prediction> predictionsSink(KafkaOptions kafka) {
        return kafka.sink(
                "predictions",
                new TopicSerializer<>(
                        kafka.topic(Topics.ML_PREDICTIONS),
                        Topics.ML_PREDICTIONS.valueCodec(),
                        Prediction::userId,
                        Prediction::scoringTime));
    }
}
