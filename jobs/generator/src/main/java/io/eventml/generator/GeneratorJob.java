package io.eventml.generator;

import io.eventml.common.config.JobArgs;
import io.eventml.common.config.JobSetup;
import io.eventml.common.config.KafkaOptions;
import io.eventml.common.config.ReportingKafkaSink;
import io.eventml.common.event.EventSource;
import io.eventml.common.topic.Topics;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The generator job: the simulated retail world ({@link Simulator}) as a Flink source, written to
 * the five raw topics. One source element is one 100 ms tick of simulated time; {@code --rate N}
 * paces ticks to the wall clock, {@code --rate unbounded} runs as fast as it can.
 */
public final class GeneratorJob {
    /** Stable uids: a savepoint of this job restores only into operators with these. */
    public static final String SOURCE_UID = "generator-source";

    public static final String SINK_UID = "generator-raw-sink";

    private final GeneratorConfig config;
    private final Sink<RawRecord> sink;

    public GeneratorJob(GeneratorConfig config, Sink<RawRecord> sink) {
        this.config = config;
        this.sink = sink;
    }

    public static void main(String[] args) throws Exception {
        JobArgs jobArgs = JobArgs.parse("generator", args);
        GeneratorConfig config = GeneratorConfig.fromArgs(jobArgs, Clock.systemUTC());
        KafkaOptions kafka = KafkaOptions.fromArgs(jobArgs, "generator");
        jobArgs.finish();

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobSetup.checkTransactions(env, kafka);
        new GeneratorJob(config, kafkaSink(kafka)).build(env);
        env.execute("EventML generator (seed " + config.seed() + ")");
    }

    /** Adds the generator to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        records(env, config).sinkTo(sink).uid(SINK_UID).name("Kafka: raw topics");
    }

    /**
     * The generated records as a stream: ticks from a {@link TickSource}, flattened. At parallelism
     * p the world is generated in p shards ({@link Simulator#Simulator(GeneratorConfig, int,
     * int)}), one per subtask, each over every tick; throttled, all advance at ten ticks a second.
     */
    public static DataStream<RawRecord> records(
            StreamExecutionEnvironment env, GeneratorConfig config) {
        int shards = Math.max(1, env.getParallelism());
        return env.fromSource(
                        new TickSource(config, shards),
                        WatermarkStrategy.noWatermarks(),
                        "Simulated retail world")
                .uid(SOURCE_UID)
                .setParallelism(shards)
                .<RawRecord>flatMap((batch, out) -> batch.forEach(out::collect))
                .returns(RawRecord.class)
                .name("Records of a tick");
    }

    /** Writes each record to the raw topic of its source, keyed as the source keys it. */
    public static ReportingKafkaSink<RawRecord> kafkaSink(KafkaOptions kafka) {
        return kafka.sink("raw", new RawRecordSerializer(kafka));
    }

    /** Routes a record to its raw topic; names the raw topics to the sink. */
    static final class RawRecordSerializer
            implements KafkaRecordSerializationSchema<RawRecord>, KafkaDatasetFacetProvider {
        private static final long serialVersionUID = 1L;

        private final KafkaOptions kafka;

        RawRecordSerializer(KafkaOptions kafka) {
            this.kafka = kafka;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                RawRecord r, KafkaSinkContext context, Long timestamp) {
            return r.toProducerRecord(kafka);
        }

        @Override
        public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
            List<String> topics =
                    Arrays.stream(EventSource.values())
                            .map(source -> kafka.topic(Topics.raw(source)))
                            .toList();
            return Optional.of(
                    new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofTopics(topics)));
        }
    }
}
