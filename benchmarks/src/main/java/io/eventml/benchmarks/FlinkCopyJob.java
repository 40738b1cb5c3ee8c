package io.eventml.benchmarks;

import io.eventml.common.config.JobArgs;
import io.eventml.common.config.JobSetup;
import io.eventml.common.config.KafkaOptions;
import io.eventml.common.config.SourceOptions;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The copy loop's work ({@link TransactionalCopyLoop}) as a Flink job on the cluster: what Flink
 * itself costs on this machine before any of the suite's logic. It reads topics of raw records
 * ({@code --from}: the benchmark gives it the copy loop's output, the raw backlog several times
 * over) read committed, parses every value with Jackson and writes it unchanged through an
 * exactly-once Kafka sink with the suite's settings ({@link KafkaOptions}); checkpoints are the
 * cluster's, as for the jobs. {@code --stage} adds what every keyed stage of the suite pays:
 *
 * <ul>
 *   <li>{@code none}: source, parse and sink chained in one task (no serialisation between them);
 *   <li>{@code shuffle}: a {@code keyBy} on the record's key before the sink, so every record is
 *       serialised across a network channel, as between the suite's stages;
 *   <li>{@code keyed-state}: the same with one keyed state read and written per record (on the
 *       cluster's state backend, RocksDB), the least a keyed stage of the suite does;
 *   <li>{@code two-keyed-states}: two such stages one after the other, each with its shuffle and
 *       its state, as an event passes the feature job's user and item stages.
 * </ul>
 *
 * <p>Benchmark code only: the job-level benchmark ({@link JobBenchmark}) submits it from the
 * benchmarks jar.
 */
public final class FlinkCopyJob {
    /** The choices of {@code --stage}. */
    public static final List<String> STAGES =
            List.of("none", "shuffle", "keyed-state", "two-keyed-states");

    private FlinkCopyJob() {}

    public static void main(String[] args) throws Exception {
        JobArgs jobArgs = JobArgs.parse("flink-copy", args);
        KafkaOptions kafka = KafkaOptions.fromArgs(jobArgs, "flink-copy");
        SourceOptions source =
                SourceOptions.fromArgs(jobArgs, "flink-copy", "the copied topics", Duration.ZERO);
        List<String> from =
                Arrays.stream(
                                jobArgs.requiredString("from", "comma-separated topics to copy")
                                        .split(","))
                        .map(String::trim)
                        .toList();
        String to = jobArgs.requiredString("to", "the topic to copy into (must exist)");
        String stage =
                jobArgs.choice("stage", "none", STAGES, "what the job does between parse and sink");
        jobArgs.finish();

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobSetup.checkTransactions(env, kafka);
        JobSetup.configure(env, source);
        DataStream<Tuple2<byte[], byte[]>> copied =
                env.fromSource(
                                source.kafkaSource(kafka, from, new KeyAndValue()),
                                WatermarkStrategy.noWatermarks(),
                                "Kafka: input")
                        .uid("source")
                        .map(new Parse())
                        .name("Parse");
        if (!stage.equals("none")) {
            copied = keyed(copied, !stage.equals("shuffle"), "first");
        }
        if (stage.equals("two-keyed-states")) {
            copied = keyed(copied, true, "second");
        }
        copied.sinkTo(kafka.sink("copy", new Unchanged(to))).uid("sink").name("Kafka: " + to);
        env.execute("EventML benchmark: Flink copy job (" + stage + ")");
    }

    /** The records keyed by their key, through a stage of their own (with a state, or not). */
    private static DataStream<Tuple2<byte[], byte[]>> keyed(
            DataStream<Tuple2<byte[], byte[]>> records, boolean useState, String name) {
        return records.keyBy(r -> new String(r.f0, StandardCharsets.UTF_8), Types.STRING)
                .process(new KeyedPass(useState))
                .uid("keyed-" + name)
                .returns(KeyAndValue.TYPE)
                .name(useState ? "Keyed state, " + name : "Shuffle");
    }

    /**
     * A raw record's key (empty when it has none, and written back without one) and value, as read.
     */
    static final class KeyAndValue
            implements KafkaRecordDeserializationSchema<Tuple2<byte[], byte[]>> {
        private static final long serialVersionUID = 1L;
        private static final byte[] NO_KEY = new byte[0];
        static final TypeInformation<Tuple2<byte[], byte[]>> TYPE =
                Types.TUPLE(Types.PRIMITIVE_ARRAY(Types.BYTE), Types.PRIMITIVE_ARRAY(Types.BYTE));

        @Override
        public void deserialize(
                ConsumerRecord<byte[], byte[]> record, Collector<Tuple2<byte[], byte[]>> out) {
            out.collect(Tuple2.of(record.key() == null ? NO_KEY : record.key(), record.value()));
        }

        @Override
        public TypeInformation<Tuple2<byte[], byte[]>> getProducedType() {
            return TYPE;
        }
    }

    /**
     * Writes each record's key and value unchanged to one topic, which it names (as the pooling
     * transaction naming of the suite's sinks needs).
     */
    static final class Unchanged
            implements KafkaRecordSerializationSchema<Tuple2<byte[], byte[]>>,
                    KafkaDatasetFacetProvider {
        private static final long serialVersionUID = 1L;
        private final String topic;

        Unchanged(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                Tuple2<byte[], byte[]> record, KafkaSinkContext context, Long timestamp) {
            byte[] key = record.f0.length == 0 ? null : record.f0;
            return new ProducerRecord<>(topic, key, record.f1);
        }

        @Override
        public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
            return Optional.of(
                    new DefaultKafkaDatasetFacet(
                            DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
        }
    }

    /** Parses every value as the copy loop does, counting its JSON fields (a metric). */
    static final class Parse
            extends RichMapFunction<Tuple2<byte[], byte[]>, Tuple2<byte[], byte[]>> {
        private static final long serialVersionUID = 1L;
        private transient ObjectMapper json;
        private transient Counter fields;

        @Override
        public void open(OpenContext openContext) {
            json = new ObjectMapper();
            fields = getRuntimeContext().getMetricGroup().addGroup("eventml").counter("jsonFields");
        }

        @Override
        public Tuple2<byte[], byte[]> map(Tuple2<byte[], byte[]> record) {
            try {
                JsonNode value = json.readTree(record.f1);
                fields.inc(value == null ? 0 : value.size());
            } catch (Exception e) {
                // A malformed record costs its parse attempt, as in the copy loop.
            }
            return record;
        }
    }

    /**
     * Passes every record on, keyed; with {@code useState}, also counts per key how many records it
     * has had: one state read and one write per record. The counts are bounded by the keys (the raw
     * records' users, customers, members, handles and devices) and live as long as the bounded run.
     */
    static final class KeyedPass
            extends KeyedProcessFunction<String, Tuple2<byte[], byte[]>, Tuple2<byte[], byte[]>> {
        private static final long serialVersionUID = 1L;
        private final boolean useState;
        private transient ValueState<Long> seen;

        KeyedPass(boolean useState) {
            this.useState = useState;
        }

        @Override
        public void open(OpenContext openContext) {
            seen = getRuntimeContext().getState(new ValueStateDescriptor<>("seen", Types.LONG));
        }

        @Override
        public void processElement(
                Tuple2<byte[], byte[]> record, Context ctx, Collector<Tuple2<byte[], byte[]>> out)
                throws Exception {
            if (useState) {
                Long before = seen.value();
                seen.update(before == null ? 1L : before + 1);
            }
            out.collect(record);
        }
    }
}
