package io.eventml.ingestion;

import io.eventml.common.config.JobArgs;
import io.eventml.common.config.JobSetup;
import io.eventml.common.config.KafkaOptions;
import io.eventml.common.config.ReportingKafkaSink;
import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.DeadLetter;
import io.eventml.common.event.EventSource;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ingestion job: the five raw topics in, normalised, validated and de-duplicated canonical
 * events out to {@code events.canonical}, rejected records to {@code events.dlq}; both
 * exactly-once.
 *
 * <pre>
 * Kafka: raw topics --(parse, validate, normalise; watermarks per partition, aligned)--> split
 *   split --canonical events--> keyBy(eventId) --> de-duplicate (RocksDB, TTL)
 *         --by canonical partition--> order by event time --> Kafka: events.canonical
 *   split --dead letters--> Kafka: events.dlq
 * </pre>
 *
 * Each {@code events.canonical} partition is written by one subtask, in event-time order up to the
 * watermark (see {@link EventTimeOrder}).
 */
public final class IngestionJob {
    /** Stable uids: savepoints restore only into operators with these. Never change them. */
    public static final String SOURCE_UID = "ingestion-raw-source";

    public static final String SPLIT_UID = "ingestion-split";
    public static final String DEDUP_UID = "ingestion-dedup";
    public static final String ORDER_UID = "ingestion-order";
    public static final String CANONICAL_SINK_UID = "ingestion-canonical-sink";
    public static final String DLQ_SINK_UID = "ingestion-dlq-sink";

    private final IngestionConfig config;
    private final int canonicalPartitions;
    private final Source<Ingested, ?, ?> source;
    private final Sink<CanonicalEvent> canonicalSink;
    private final Sink<DeadLetter> deadLetterSink;

    /** A job for an {@code events.canonical} of the registry's partition count. */
    public IngestionJob(
            IngestionConfig config,
            Source<Ingested, ?, ?> source,
            Sink<CanonicalEvent> canonicalSink,
            Sink<DeadLetter> deadLetterSink) {
        this(config, Topics.EVENTS_CANONICAL.partitions(), source, canonicalSink, deadLetterSink);
    }

    /**
     * @param canonicalPartitions the partition count of {@code events.canonical} on the cluster
     */
    public IngestionJob(
            IngestionConfig config,
            int canonicalPartitions,
            Source<Ingested, ?, ?> source,
            Sink<CanonicalEvent> canonicalSink,
            Sink<DeadLetter> deadLetterSink) {
        this.config = config;
        this.canonicalPartitions = canonicalPartitions;
        this.source = source;
        this.canonicalSink = canonicalSink;
        this.deadLetterSink = deadLetterSink;
    }

    public static void main(String[] args) throws Exception {
        JobArgs jobArgs = JobArgs.parse("ingestion", args);
        IngestionConfig config = IngestionConfig.fromArgs(jobArgs);
        jobArgs.finish();

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobSetup.checkTransactions(env, config.kafka());
        of(config).build(env);
        env.execute("EventML ingestion");
    }

    /** The job as {@link #main} runs it: Kafka in and out, as {@code config} says. */
    public static IngestionJob of(IngestionConfig config) {
        return new IngestionJob(
                config,
                config.kafka().partitionCount(Topics.EVENTS_CANONICAL),
                kafkaSource(config),
                canonicalSink(config.kafka()),
                JobSetup.deadLetterSink(config.kafka()));
    }

    /** Adds the job to {@code env}: settings, source, pipeline, sinks. */
    public void build(StreamExecutionEnvironment env) {
        JobSetup.configure(env, config.source());
        DataStream<Ingested> ingested =
                env.fromSource(source, watermarks(config), "Kafka: raw topics").uid(SOURCE_UID);
        Outputs out = pipeline(ingested, config.dedupTtl(), canonicalPartitions);
        out.canonical()
                .sinkTo(canonicalSink)
                .uid(CANONICAL_SINK_UID)
                .name("Kafka: events.canonical");
        out.deadLetters().sinkTo(deadLetterSink).uid(DLQ_SINK_UID).name("Kafka: events.dlq");
    }

    /** The canonical events and dead letters of a job. */
    public record Outputs(
            DataStream<CanonicalEvent> canonical, DataStream<DeadLetter> deadLetters) {}

    /**
     * The pipeline between source and sinks: split off dead letters, de-duplicate by eventId, then
     * order each canonical partition's events by event time in the subtask that writes it.
     */
    public static Outputs pipeline(
            DataStream<Ingested> ingested, Duration dedupTtl, int canonicalPartitions) {
        SingleOutputStreamOperator<CanonicalEvent> events =
                ingested.process(new SplitDeadLetters())
                        .uid(SPLIT_UID)
                        .name("Split events and dead letters");
        DataStream<CanonicalEvent> unique =
                events.keyBy(CanonicalEvent::eventId)
                        .process(new DeduplicateEvents(dedupTtl))
                        .uid(DEDUP_UID)
                        .name("De-duplicate by eventId");
        DataStream<CanonicalEvent> ordered =
                unique.partitionCustom(
                                new CanonicalPartitions(canonicalPartitions),
                                CanonicalPartitions::keyOf)
                        .transform(
                                "Order by event time",
                                TypeInformation.of(CanonicalEvent.class),
                                new EventTimeOrder())
                        .uid(ORDER_UID);
        return new Outputs(ordered, events.getSideOutput(SplitDeadLetters.DEAD_LETTERS));
    }

    /** Per Kafka partition from real event times; dead letters never move them. */
    public static WatermarkStrategy<Ingested> watermarks(IngestionConfig config) {
        return config.source().watermarks((ingested, kafkaTimestamp) -> ingested.eventTime());
    }

    /** The five raw topics (with the configured suffix), read committed. */
    public static KafkaSource<Ingested> kafkaSource(IngestionConfig config) {
        KafkaOptions kafka = config.kafka();
        Map<String, EventSource> sourceByTopic = new LinkedHashMap<>();
        for (EventSource s : EventSource.values()) {
            sourceByTopic.put(kafka.topic(Topics.raw(s)), s);
        }
        RawIngestor ingestor =
                new RawIngestor(
                        config.limits(), config.timeBounds(), config.deadLetterPayloadBytes());
        return config.source()
                .kafkaSource(
                        kafka,
                        List.copyOf(sourceByTopic.keySet()),
                        new RawRecordDeserializer(sourceByTopic, ingestor));
    }

    /**
     * {@code events.canonical}: keyed by user (store for sensor readings), timestamped with the
     * event time, its type in the header {@link Topics#EVENT_TYPE_HEADER}.
     */
    public static ReportingKafkaSink<CanonicalEvent> canonicalSink(KafkaOptions kafka) {
        return kafka.sink(
                "canonical",
                new TopicSerializer<>(
                        kafka.topic(Topics.EVENTS_CANONICAL),
                        Topics.EVENTS_CANONICAL.valueCodec(),
                        CanonicalEvent::partitionKey,
                        CanonicalEvent::eventTime,
                        Topics.EVENT_TYPE_HEADER,
                        e -> e.type().name()));
    }
}
