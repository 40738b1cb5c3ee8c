package io.eventml.features;

import io.eventml.common.config.JobArgs;
import io.eventml.common.config.JobSetup;
import io.eventml.common.config.KafkaOptions;
import io.eventml.common.config.ReportingKafkaSink;
import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.DeadLetter;
import io.eventml.common.event.EventType;
import io.eventml.common.features.FeatureSpec;
import io.eventml.common.features.FeatureVector;
import io.eventml.common.serde.DecodeError;
import io.eventml.common.serde.Origin;
import io.eventml.common.serde.ReasonCode;
import io.eventml.common.state.SlottedOperators;
import io.eventml.common.topic.TopicInput;
import io.eventml.common.topic.TopicSerializer;
import io.eventml.common.topic.Topics;
import io.eventml.features.state.UserDelta;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.OutputTag;

import java.time.Duration;
import java.time.Instant;

/**
 * The feature job: {@code events.canonical} in, one point-in-time feature vector per product view
 * out to {@code features.user}, exactly-once, in three keyed stages on RocksDB:
 *
 * <pre>
 * events --item events--> keyBy(item) Item features --views--+--in store--> keyBy(store) Store footfall --+
 *        --footfall readings---------------------------------|-----------------------^                    |
 *                                                            +--online------------------------------------+--> keyBy(user) User features --> features.user
 *        --user events----------------------------------------------------------------------------------------^
 * </pre>
 */
public final class FeatureJob {
    /** Stable uids: savepoints restore only into operators with these. Never change them. */
    public static final String SOURCE_UID = "features-canonical-source";

    public static final String SPLIT_UID = "features-split";
    public static final String ITEM_UID = "features-item";
    public static final String STORE_UID = "features-store";
    public static final String USER_UID = "features-user";
    public static final String SINK_UID = "features-sink";
    public static final String DLQ_SINK_UID = "features-dlq-sink";

    private final FeatureConfig config;
    private final Source<TopicInput<CanonicalEvent>, ?, ?> source;
    private final Sink<FeatureVector> sink;
    private final Sink<DeadLetter> deadLetterSink;

    public FeatureJob(
            FeatureConfig config,
            Source<TopicInput<CanonicalEvent>, ?, ?> source,
            Sink<FeatureVector> sink,
            Sink<DeadLetter> deadLetterSink) {
        this.config = config;
        this.source = source;
        this.sink = sink;
        this.deadLetterSink = deadLetterSink;
    }

    public static void main(String[] args) throws Exception {
        JobArgs jobArgs = JobArgs.parse("features", args);
        FeatureConfig config = FeatureConfig.fromArgs(jobArgs);
        jobArgs.finish();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobSetup.checkTransactions(env, config.kafka());
        of(config).build(env);
        env.execute("EventML features");
    }

    /** The job as {@link #main} runs it: Kafka in and out, as {@code config} says. */
    public static FeatureJob of(FeatureConfig config) {
        return new FeatureJob(
                config,
                kafkaSource(config),
                featureSink(config.kafka()),
                JobSetup.deadLetterSink(config.kafka()));
    }

    public void build(StreamExecutionEnvironment env) {
        JobSetup.configure(env, config.source());
        DataStream<TopicInput<CanonicalEvent>> input =
                env.fromSource(source, watermarks(config), "Kafka: events.canonical")
                        .uid(SOURCE_UID);
        DataStream<CanonicalEvent> events =
                input.filter(TopicInput::isValid)
                        .uid(SPLIT_UID)
                        .name("Readable events")
                        .map(TopicInput::value)
                        .returns(CanonicalEvent.class)
                        .name("Event");
        Outputs out =
                pipeline(
                        events,
                        config.allowedLateness(),
                        config.featureSpec(),
                        config.stateCacheKeys());
        out.vectors().sinkTo(sink).uid(SINK_UID).name("Kafka: features.user");
        String canonicalTopic = config.kafka().topic(Topics.EVENTS_CANONICAL);
        input.filter(TopicInput::isDeadLetter)
                .name("Unreadable records")
                .map(TopicInput::deadLetter)
                .returns(DeadLetter.class)
                .union(
                        out.lateViews()
                                .map(late -> deadLetter(late, canonicalTopic))
                                .returns(DeadLetter.class)
                                .name("Late views"))
                .sinkTo(deadLetterSink)
                .uid(DLQ_SINK_UID)
                .name("Kafka: events.dlq");
    }

    /** The vectors, and the views too late to be scored. */
    public record Outputs(DataStream<FeatureVector> vectors, DataStream<LateView> lateViews) {}

    /**
     * A late view as a dead letter: reason {@code LATE_VIEW}, its canonical JSON as the payload,
     * the canonical topic as its origin (partition and offset are not known after the keyed
     * stages).
     */
    public static DeadLetter deadLetter(LateView late, String canonicalTopic) {
        CanonicalEvent view = late.view();
        String message =
                "product view "
                        + view.eventId()
                        + " at "
                        + Instant.ofEpochMilli(view.eventTime())
                        + " reached the "
                        + late.stage()
                        + " stage older than its frontier "
                        + Instant.ofEpochMilli(late.frontier())
                        + " (watermark minus allowed lateness): its features as of its time are"
                        + " no longer known, it got no vector";
        return DeadLetter.of(
                new DecodeError(ReasonCode.LATE_VIEW, message, Origin.of(canonicalTopic, -1, -1L)),
                view.source(),
                Topics.EVENTS_CANONICAL.valueCodec().encode(view),
                DeadLetter.DEFAULT_MAX_PAYLOAD_BYTES,
                System.currentTimeMillis());
    }

    /**
     * Canonical events (with event-time timestamps and watermarks) to feature vectors, and the
     * views that arrived too late to be scored (see docs/features.md, "Time model").
     */
    public static Outputs pipeline(DataStream<CanonicalEvent> events, Duration allowedLateness) {
        return pipeline(
                events,
                allowedLateness,
                FeatureSpec.VERSION,
                FeatureConfig.DEFAULT_STATE_CACHE_KEYS);
    }

    /**
     * As {@link #pipeline(DataStream, Duration)}, emitting vectors of spec {@code featureSpec},
     * with the state of {@code stateCacheKeys} keys per keyed stage and subtask also on the heap.
     */
    public static Outputs pipeline(
            DataStream<CanonicalEvent> events,
            Duration allowedLateness,
            int featureSpec,
            int stateCacheKeys) {
        long lateness = allowedLateness.toMillis();
        OutputTag<LateView> lateViews = new OutputTag<>("late-views", LATE_VIEW_TYPE);
        SingleOutputStreamOperator<PendingVector> withItem =
                events.filter(
                                e ->
                                        e.itemId() != null
                                                && (e.type() == EventType.PRODUCT_VIEW
                                                        || e.type() == EventType.PURCHASE))
                        .name("Item events")
                        .keyBy(CanonicalEvent::itemId)
                        .transform(
                                "Item features",
                                TypeInformation.of(PendingVector.class),
                                SlottedOperators.process(
                                        new ItemFeatureFunction(
                                                lateness, lateViews, stateCacheKeys)))
                        .uid(ITEM_UID)
                        .name("Item features");
        DataStream<CanonicalEvent> footfall =
                events.filter(
                                e ->
                                        e.type() == EventType.SENSOR_READING
                                                && "footfall".equals(e.attributes().get("metric")))
                        .name("Footfall readings");
        SingleOutputStreamOperator<PendingVector> inStore =
                withItem.filter(p -> p.view().storeId() != null)
                        .name("In-store views")
                        .keyBy(p -> p.view().storeId())
                        .connect(footfall.keyBy(CanonicalEvent::storeId))
                        .transform(
                                "Store footfall",
                                TypeInformation.of(PendingVector.class),
                                SlottedOperators.coProcess(
                                        new StoreFootfallFunction(lateness, lateViews)))
                        .uid(STORE_UID)
                        .name("Store footfall");
        DataStream<PendingVector> views =
                withItem.filter(p -> p.view().storeId() == null)
                        .name("Online views")
                        .union(inStore);
        DataStream<CanonicalEvent> userEvents =
                // Only what moves a user feature crosses the network (page views do not).
                events.filter(e -> e.userId() != null && UserDelta.movesUserFeatures(e.type()))
                        .name("User events");
        SingleOutputStreamOperator<FeatureVector> vectors =
                views.keyBy(p -> p.view().userId())
                        .connect(userEvents.keyBy(CanonicalEvent::userId))
                        .transform(
                                "User features",
                                TypeInformation.of(FeatureVector.class),
                                SlottedOperators.coProcess(
                                        new UserFeatureFunction(
                                                lateness, lateViews, featureSpec, stateCacheKeys)))
                        .uid(USER_UID)
                        .name("User features");
        return new Outputs(
                vectors,
                withItem.getSideOutput(lateViews)
                        .union(inStore.getSideOutput(lateViews), vectors.getSideOutput(lateViews)));
    }

    private static final TypeInformation<LateView> LATE_VIEW_TYPE =
            TypeInformation.of(LateView.class);

    public static WatermarkStrategy<TopicInput<CanonicalEvent>> watermarks(FeatureConfig config) {
        return config.source().inputWatermarks(CanonicalEvent::eventTime);
    }

    public static KafkaSource<TopicInput<CanonicalEvent>> kafkaSource(FeatureConfig config) {
        return config.source()
                .topicSource(config.kafka(), Topics.EVENTS_CANONICAL, TopicInput.CANONICAL_EVENTS);
    }

    /** {@code features.user}: keyed by user, timestamped with the view's time. */
    public static ReportingKafkaSink<FeatureVector> featureSink(KafkaOptions kafka) {
        return kafka.sink(
                "features",
                new TopicSerializer<>(
                        kafka.topic(Topics.FEATURES_USER),
                        Topics.FEATURES_USER.valueCodec(),
                        FeatureVector::userId,
                        FeatureVector::eventTime));
    }
}
