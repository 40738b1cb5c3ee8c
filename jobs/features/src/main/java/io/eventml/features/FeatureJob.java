package io.eventml.features;

import io.eventml.common.config.JobArgs;
import io.eventml.common.config.JobSetup;
import io.eventml.common.config.KafkaOptions;
import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.DeadLetter;
import io.eventml.common.event.EventType;
import io.eventml.common.features.FeatureVector;
import io.eventml.common.topic.TopicInput;
import io.eventml.common.topic.TopicSerializer;
import io.eventml.common.topic.Topics;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

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
        new FeatureJob(
                        config,
                        kafkaSource(config),
                        featureSink(config.kafka()),
                        JobSetup.deadLetterSink(config.kafka()))
                .build(env);
        env.execute("EventML features");
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
        pipeline(events).sinkTo(sink).uid(SINK_UID).name("Kafka: features.user");
        input.filter(in -> !in.isValid())
                .name("Unreadable records")
                .map(TopicInput::deadLetter)
                .returns(DeadLetter.class)
                .sinkTo(deadLetterSink)
                .uid(DLQ_SINK_UID)
                .name("Kafka: events.dlq");
    }

    /** Canonical events (with event-time timestamps and watermarks) to feature vectors. */
    public static DataStream<FeatureVector> pipeline(DataStream<CanonicalEvent> events) {
        DataStream<PendingVector> withItem =
                events.filter(
                                e ->
                                        e.itemId() != null
                                                && (e.type() == EventType.PRODUCT_VIEW
                                                        || e.type() == EventType.PURCHASE))
                        .name("Item events")
                        .keyBy(CanonicalEvent::itemId)
                        .process(new ItemFeatureFunction())
                        .uid(ITEM_UID)
                        .name("Item features");
        DataStream<CanonicalEvent> footfall =
                events.filter(
                                e ->
                                        e.type() == EventType.SENSOR_READING
                                                && "footfall".equals(e.attributes().get("metric")))
                        .name("Footfall readings");
        DataStream<PendingVector> inStore =
                withItem.filter(p -> p.view().storeId() != null)
                        .name("In-store views")
                        .keyBy(p -> p.view().storeId())
                        .connect(footfall.keyBy(CanonicalEvent::storeId))
                        .process(new StoreFootfallFunction())
                        .uid(STORE_UID)
                        .name("Store footfall");
        DataStream<PendingVector> views =
                withItem.filter(p -> p.view().storeId() == null)
                        .name("Online views")
                        .union(inStore);
        DataStream<CanonicalEvent> userEvents =
                events.filter(e -> e.userId() != null).name("User events");
        return views.keyBy(p -> p.view().userId())
                .connect(userEvents.keyBy(CanonicalEvent::userId))
                .process(new UserFeatureFunction())
                .uid(USER_UID)
                .name("User features");
    }

    public static WatermarkStrategy<TopicInput<CanonicalEvent>> watermarks(FeatureConfig config) {
        return config.source().inputWatermarks(CanonicalEvent::eventTime);
    }

    public static KafkaSource<TopicInput<CanonicalEvent>> kafkaSource(FeatureConfig config) {
        return config.source()
                .topicSource(config.kafka(), Topics.EVENTS_CANONICAL, TopicInput.CANONICAL_EVENTS);
    }

    /** {@code features.user}: keyed by user, timestamped with the view's time. */
    public static KafkaSink<FeatureVector> featureSink(KafkaOptions kafka) {
        return kafka.sink(
                "features",
                new TopicSerializer<>(
                        kafka.topic(Topics.FEATURES_USER),
                        Topics.FEATURES_USER.valueCodec(),
                        FeatureVector::userId,
                        FeatureVector::eventTime));
    }
}
