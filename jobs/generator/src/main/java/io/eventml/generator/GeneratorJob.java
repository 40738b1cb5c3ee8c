package io.eventml.generator;

import io.eventml.common.config.JobArgs;
import io.eventml.common.config.JobSetup;
import io.eventml.common.config.KafkaOptions;
import io.eventml.common.config.ReportingKafkaSink;
import io.eventml.common.event.EventSource;
import io.eventml.common.topic.Topics;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
     * The generated records as a stream: ticks from a DataGeneratorSource, flattened. At
     * parallelism p the world is generated in p shards ({@link Simulator#Simulator(GeneratorConfig,
     * int, int)}), each over every tick: the source's index {@code i} is tick {@code i % n} of
     * shard {@code i / n}, {@code n} ticks per shard. Each subtask reads its own range of indexes,
     * so every shard runs through the ticks in order and the shards advance together (throttled:
     * ten ticks per second each).
     */
    public static DataStream<RawRecord> records(
            StreamExecutionEnvironment env, GeneratorConfig config) {
        int shards = Math.max(1, env.getParallelism());
        long ticksPerShard =
                config.ticks() == Long.MAX_VALUE ? Long.MAX_VALUE / shards : config.ticks();
        long ticksPerSecond = 1000 / GeneratorConfig.TICK.toMillis();
        DataGeneratorSource<List<RawRecord>> source =
                new DataGeneratorSource<>(
                        new TickFunction(config, shards, ticksPerShard),
                        shards * ticksPerShard,
                        config.throttled()
                                ? RateLimiterStrategy.perSecond(ticksPerSecond * shards)
                                : RateLimiterStrategy.noOp(),
                        Types.LIST(TypeInformation.of(RawRecord.class)));
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "Simulated retail world")
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

    /** One tick of one shard of the simulation per source element. */
    static final class TickFunction implements GeneratorFunction<Long, List<RawRecord>> {
        private static final long serialVersionUID = 1L;

        private final GeneratorConfig config;
        private final int shards;
        private final long ticksPerShard;

        /** By shard: a subtask given more than one range (after a rescale) runs each apart. */
        private transient Map<Integer, Simulator> simulators;

        TickFunction(GeneratorConfig config, int shards, long ticksPerShard) {
            this.config = config;
            this.shards = shards;
            this.ticksPerShard = ticksPerShard;
        }

        @Override
        public void open(SourceReaderContext readerContext) {
            simulators = new HashMap<>();
        }

        @Override
        public List<RawRecord> map(Long index) {
            int shard = (int) (index / ticksPerShard);
            return simulators
                    .computeIfAbsent(shard, s -> new Simulator(config, s, shards))
                    .batch(index % ticksPerShard);
        }
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
