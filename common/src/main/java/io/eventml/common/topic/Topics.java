package io.eventml.common.topic;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.CanonicalEventCodec;
import io.eventml.common.event.DeadLetter;
import io.eventml.common.event.DeadLetterCodec;
import io.eventml.common.event.EventSource;
import io.eventml.common.features.FeatureVector;
import io.eventml.common.features.FeatureVectorCodec;
import io.eventml.common.ml.DriftAlarm;
import io.eventml.common.ml.DriftAlarmCodec;
import io.eventml.common.ml.ModelDecision;
import io.eventml.common.ml.ModelDecisionCodec;
import io.eventml.common.ml.ModelPin;
import io.eventml.common.ml.ModelPinCodec;
import io.eventml.common.ml.ModelUpdate;
import io.eventml.common.ml.ModelUpdateCodec;
import io.eventml.common.ml.Prediction;
import io.eventml.common.ml.PredictionCodec;
import io.eventml.common.ml.ServedQuality;
import io.eventml.common.ml.ServedQualityCodec;
import io.eventml.common.ml.TrainingExample;
import io.eventml.common.ml.TrainingExampleCodec;
import io.eventml.common.raw.ClickstreamEvent;
import io.eventml.common.raw.ClickstreamEventCodec;
import io.eventml.common.raw.LoyaltyEvent;
import io.eventml.common.raw.LoyaltyEventCodec;
import io.eventml.common.raw.OrderEvent;
import io.eventml.common.raw.OrderEventCodec;
import io.eventml.common.raw.SensorReading;
import io.eventml.common.raw.SensorReadingCodec;
import io.eventml.common.raw.SocialPost;
import io.eventml.common.raw.SocialPostCodec;
import io.eventml.common.serde.Codec;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The topic registry: every topic of the suite, its defaults and its codecs, in one immutable
 * place. Jobs, the generator, the deployment scripts and the tests all take topic names and codecs
 * from here.
 */
public final class Topics {
    private Topics() {}

    public static final Topic<String, ClickstreamEvent> RAW_CLICKSTREAM =
            new Topic<>(
                    "raw.clickstream",
                    2,
                    CleanupPolicy.DELETE,
                    Codec.utf8(),
                    new ClickstreamEventCodec(),
                    "web tracker hits (views, clicks, cart adds), keyed by user");

    public static final Topic<String, OrderEvent> RAW_ORDERS =
            new Topic<>(
                    "raw.orders",
                    2,
                    CleanupPolicy.DELETE,
                    Codec.utf8(),
                    new OrderEventCodec(),
                    "orders with their lines, keyed by customer");

    public static final Topic<String, LoyaltyEvent> RAW_LOYALTY =
            new Topic<>(
                    "raw.loyalty",
                    2,
                    CleanupPolicy.DELETE,
                    Codec.utf8(),
                    new LoyaltyEventCodec(),
                    "loyalty points changes, keyed by member");

    public static final Topic<String, SocialPost> RAW_SOCIAL =
            new Topic<>(
                    "raw.social",
                    2,
                    CleanupPolicy.DELETE,
                    Codec.utf8(),
                    new SocialPostCodec(),
                    "social posts mapped to users, keyed by handle");

    public static final Topic<String, SensorReading> RAW_SENSORS =
            new Topic<>(
                    "raw.sensors",
                    2,
                    CleanupPolicy.DELETE,
                    Codec.utf8(),
                    new SensorReadingCodec(),
                    "in-store sensor readings, keyed by device");

    public static final Topic<String, CanonicalEvent> EVENTS_CANONICAL =
            new Topic<>(
                    "events.canonical",
                    4,
                    CleanupPolicy.DELETE,
                    Codec.utf8(),
                    new CanonicalEventCodec(),
                    "normalised, de-duplicated events, keyed by user (by store for sensor readings)");

    /**
     * The header on every record the ingestion job writes to {@link #EVENTS_CANONICAL}: the event's
     * {@link io.eventml.common.event.EventType} (its wire name, UTF-8), so that a reader that needs
     * only some types skips the others without decoding them.
     */
    public static final String EVENT_TYPE_HEADER = "eventml.type";

    public static final Topic<String, DeadLetter> EVENTS_DLQ =
            new Topic<>(
                    "events.dlq",
                    1,
                    CleanupPolicy.DELETE,
                    Codec.utf8(),
                    new DeadLetterCodec(),
                    "rejected records with origin, reason and payload, keyed by origin topic");

    public static final Topic<String, FeatureVector> FEATURES_USER =
            new Topic<>(
                    "features.user",
                    4,
                    CleanupPolicy.DELETE,
                    Codec.utf8(),
                    new FeatureVectorCodec(),
                    "point-in-time feature vectors of product views, keyed by user");

    public static final Topic<String, TrainingExample> ML_TRAINING_EXAMPLES =
            new Topic<>(
                    "ml.training-examples",
                    4,
                    CleanupPolicy.DELETE,
                    Codec.utf8(),
                    new TrainingExampleCodec(),
                    "labelled feature vectors the model learned from, keyed by user");

    public static final Topic<String, ModelUpdate> ML_MODELS =
            new Topic<>(
                    "ml.models",
                    1,
                    CleanupPolicy.COMPACT,
                    Codec.utf8(),
                    new ModelUpdateCodec(),
                    "model versions in Flink ML's LogisticRegressionModelData encoding, keyed by"
                            + " model line (the model name, with @spec<N> after spec 1;"
                            + " compacted: the newest version of each line stays)");

    public static final Topic<String, ModelDecision> ML_MODEL_DECISIONS =
            new Topic<>(
                    "ml.model-decisions",
                    1,
                    CleanupPolicy.DELETE,
                    Codec.utf8(),
                    new ModelDecisionCodec(),
                    "the promotion gate's decision on every candidate model version, with its"
                            + " figures and coefficients, keyed by model line as ml.models");

    public static final Topic<String, ModelPin> ML_MODEL_PINS =
            new Topic<>(
                    "ml.model-pins",
                    1,
                    CleanupPolicy.COMPACT,
                    Codec.utf8(),
                    new ModelPinCodec(),
                    "versions pinned by an operator for rollback (or unpinned), keyed by model name"
                            + " (compacted: the newest pin per model stays)");

    public static final Topic<String, Prediction> ML_PREDICTIONS =
            new Topic<>(
                    "ml.predictions",
                    4,
                    CleanupPolicy.DELETE,
                    Codec.utf8(),
                    new PredictionCodec(),
                    "real-time purchase probabilities of product views with the model version,"
                            + " keyed by user");

    public static final Topic<String, DriftAlarm> ML_DRIFT =
            new Topic<>(
                    "ml.drift",
                    1,
                    CleanupPolicy.DELETE,
                    Codec.utf8(),
                    new DriftAlarmCodec(),
                    "an alarm each time a drift detector fires on a model's served quality,"
                            + " keyed by model name");

    public static final Topic<String, ServedQuality> ML_SERVED_QUALITY =
            new Topic<>(
                    "ml.served-quality",
                    1,
                    CleanupPolicy.DELETE,
                    Codec.utf8(),
                    new ServedQualityCodec(),
                    "how each model version's served predictions turned out once labelled"
                            + " (cumulative per version), keyed by model name");

    private static final List<Topic<?, ?>> ALL =
            List.of(
                    RAW_CLICKSTREAM,
                    RAW_ORDERS,
                    RAW_LOYALTY,
                    RAW_SOCIAL,
                    RAW_SENSORS,
                    EVENTS_CANONICAL,
                    EVENTS_DLQ,
                    FEATURES_USER,
                    ML_TRAINING_EXAMPLES,
                    ML_MODELS,
                    ML_MODEL_DECISIONS,
                    ML_MODEL_PINS,
                    ML_PREDICTIONS,
                    ML_SERVED_QUALITY,
                    ML_DRIFT);

    private static final Map<String, Topic<?, ?>> BY_NAME =
            ALL.stream().collect(Collectors.toUnmodifiableMap(Topic::name, Function.identity()));

    private static final Map<EventSource, Topic<String, ?>> RAW_BY_SOURCE =
            Map.of(
                    EventSource.CLICKSTREAM, RAW_CLICKSTREAM,
                    EventSource.ORDERS, RAW_ORDERS,
                    EventSource.LOYALTY, RAW_LOYALTY,
                    EventSource.SOCIAL, RAW_SOCIAL,
                    EventSource.SENSORS, RAW_SENSORS);

    /** Every topic of the suite, in pipeline order. */
    public static List<Topic<?, ?>> all() {
        return ALL;
    }

    public static Optional<Topic<?, ?>> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** The raw topic of a source. */
    public static Topic<String, ?> raw(EventSource source) {
        return RAW_BY_SOURCE.get(source);
    }
}
