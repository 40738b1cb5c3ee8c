package io.eventml.ops;

import io.eventml.common.config.KafkaOptions;
import io.eventml.common.config.ReportingKafkaSink;
import io.eventml.common.testkit.FailOnceAfterCheckpoint;
import io.eventml.common.testkit.FlinkTestCluster;
import io.eventml.common.testkit.KafkaBrokerExtension;
import io.eventml.common.testkit.OnceInSnapshot;
import io.eventml.common.testkit.Slowdown;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kafka sink every job builds ({@link KafkaOptions}) with the test kit end to end, and what the
 * ops tools report when a commit is lost: Kafka -> keyed RocksDB state -> Kafka with an
 * EXACTLY_ONCE sink, a failure injected after a completed checkpoint or between a sink's pre-commit
 * and its commit, and a read_committed consumer that sees every record exactly once, each with the
 * count that the restored keyed state must give it.
 */
class ExactlyOnceKafkaTest {

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final int RECORDS = 300;
    private static final int KEYS = 5;

    /** A key and a value read from or written to Kafka. */
    public record KeyedValue(String key, String value) {}

    @Test
    void everyRecordIsWrittenExactlyOnceWithItsRestoredCountAfterAnInjectedFailure()
            throws Exception {
        String failureId = "exactly-once-kit-" + KafkaBrokerExtension.uniqueSuffix();
        runWithFailure(
                new FailOnceAfterCheckpoint<>(failureId, RECORDS / 3),
                () -> FailOnceAfterCheckpoint.hasFailed(failureId));
    }

    /**
     * The job fails in a checkpoint after the sink has pre-committed that checkpoint's transaction
     * and before anything commits it: the restored job aborts it (the pooled transactional ids are
     * reused, so an id left open would block or fence the next transaction) and writes its records
     * again, once.
     */
    @Test
    void aFailureBetweenPreCommitAndCommitLosesAndDuplicatesNothing() throws Exception {
        String failureId = "pre-commit-" + KafkaBrokerExtension.uniqueSuffix();
        runWithFailure(
                OnceInSnapshot.fail(failureId, RECORDS / 3),
                () -> OnceInSnapshot.happened(failureId));
    }

    /**
     * An outage longer than the transaction timeout: a checkpoint's commit is held back (its task
     * blocked) for longer than the sink's transaction timeout, so the broker aborts the transaction
     * before the commit reaches it. Its records are lost, which no exactly-once sink can prevent
     * once the broker has given up on the transaction, and which must never go unnoticed: the
     * connector only logs it, the committer of the jobs' sinks ({@code ReportingKafkaSink}) counts
     * it in {@code lostTransactions}, and {@link FlinkRest#lostTransactions} (what {@code
     * eventml.sh status} reports as DATA LOST) finds it.
     */
    @Test
    void aCommitLaterThanTheTransactionTimeoutLosesItsRecordsAndIsReported() throws Exception {
        String input = KAFKA.createTopic("eos-in", 1);
        String output = KAFKA.createTopic("eos-out", 1);
        int records = 600;
        produceNumbered(input, records);

        String id = "late-commit-" + KafkaBrokerExtension.uniqueSuffix();
        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        env.setParallelism(1);
        env.fromSource(source(input, false), WatermarkStrategy.noWatermarks(), "kafka-in")
                .map(new Slowdown<>(20))
                .returns(KeyedValue.class)
                .keyBy(KeyedValue::key)
                .process(new CountPerKey())
                .uid("count-per-key")
                // Blocks for 8 s: past the 3 s transaction timeout and the broker's abort check.
                .map(OnceInSnapshot.<KeyedValue>block(id, records / 3, 8_000))
                .returns(KeyedValue.class)
                .sinkTo(sink(output, "eos-late-" + output, Duration.ofSeconds(3)));
        JobClient job = env.executeAsync("a commit later than the transaction timeout");
        FlinkRest rest = new FlinkRest(FlinkTestCluster.restAddress(FLINK));
        // Unbounded, as in production: the job runs until the failed commit is counted and every
        // record has been read and had a checkpoint to commit it, then it is cancelled.
        Map<String, Long> failed = Map.of();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (failed.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            try {
                failed = rest.lostTransactions(job.getJobID().toHexString());
            } catch (IOException e) {
                // Vertex metrics come and go while tasks start.
            }
        }
        FlinkTestCluster.awaitRecordsRead(FLINK, job, "kafka-in", records);
        Thread.sleep(3 * FlinkTestCluster.CHECKPOINT_INTERVAL.toMillis() + 1_000);
        job.cancel().get(1, TimeUnit.MINUTES);

        assertThat(OnceInSnapshot.happened(id))
                .as("the commit must have been held back for this test to mean anything")
                .isTrue();
        assertThat(failed)
                .as("the transaction that could not be committed, counted per sink")
                .hasSize(1)
                .allSatisfy((sink, count) -> assertThat(count).isEqualTo(1));
        List<Integer> written =
                KafkaBrokerExtension.values(KAFKA.drain(output)).stream()
                        .map(v -> Integer.parseInt(v.split(",")[0]))
                        .collect(Collectors.toList());
        assertThat(written).doesNotHaveDuplicates();
        List<Integer> lost =
                IntStream.range(0, Collections.max(written))
                        .filter(i -> !written.contains(i))
                        .boxed()
                        .collect(Collectors.toList());
        assertThat(lost)
                .as("records of the aborted transaction are missing before later, committed ones")
                .isNotEmpty();
    }

    /**
     * An upgrade: the job stops with a savepoint and a new job starts from it. The stop commits the
     * savepoint's transactions before the job finishes, so the new job's re-commits of them (some
     * refused as fenced) lose nothing: every record exactly once with its restored count, and
     * {@link FlinkRest#stoppedWithRestoredSavepoint} (what {@code eventml.sh status} reads to say
     * so) finds the job that stopped with that savepoint.
     */
    @Test
    void aJobStartedFromTheSavepointAnotherStoppedWithLosesNothingAndIsToldSo() throws Exception {
        String input = KAFKA.createTopic("eos-in", 2);
        String output = KAFKA.createTopic("eos-out", 2);
        produceNumbered(input, RECORDS);
        JobClient first = countingJob(input, output, FlinkTestCluster.configuration(), 10);
        FlinkTestCluster.awaitRecordsRead(FLINK, first, "kafka-in", RECORDS / 3);
        String savepoint =
                first.stopWithSavepoint(
                                false,
                                java.nio.file.Files.createTempDirectory("eos-savepoint")
                                        .toUri()
                                        .toString(),
                                SavepointFormatType.CANONICAL)
                        .get(2, TimeUnit.MINUTES);

        Configuration resume = FlinkTestCluster.configuration();
        resume.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        JobClient second = countingJob(input, output, resume, 0);
        // Until every record is committed downstream (read_committed).
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (KAFKA.drain(output).size() < RECORDS) {
            assertThat(System.nanoTime()).as("all records committed").isLessThan(deadline);
            Thread.sleep(200);
        }
        FlinkRest rest = new FlinkRest(FlinkTestCluster.restAddress(FLINK));
        String secondId = second.getJobID().toHexString();
        assertThat(rest.stoppedWithRestoredSavepoint(secondId))
                .map(FlinkRest.Job::id)
                .contains(first.getJobID().toHexString());
        second.cancel().get(1, TimeUnit.MINUTES);

        List<String> values = KafkaBrokerExtension.values(KAFKA.drain(output));
        assertThat(values.stream().map(v -> Integer.parseInt(v.split(",")[0])).sorted().toList())
                .isEqualTo(IntStream.range(0, RECORDS).boxed().collect(Collectors.toList()));
        for (String v : values) {
            int i = Integer.parseInt(v.split(",")[0]);
            assertThat(Long.parseLong(v.split(",")[1]))
                    .as("count of record %d", i)
                    .isEqualTo(i / KEYS + 1);
        }
    }

    /** Kafka -> count per key (RocksDB) -> exactly-once Kafka, unbounded, slowed per record. */
    private static JobClient countingJob(
            String input, String output, Configuration configuration, long millisPerRecord)
            throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(2);
        env.fromSource(source(input, false), WatermarkStrategy.noWatermarks(), "kafka-in")
                .uid("kafka-in")
                .map(new Slowdown<>(millisPerRecord))
                .returns(KeyedValue.class)
                .uid("slowdown")
                .keyBy(KeyedValue::key)
                .process(new CountPerKey())
                .uid("count-per-key")
                .sinkTo(sink(output, "eos-upgrade-" + output))
                .uid("kafka-out");
        return env.executeAsync("counting, stopped and started from its savepoint");
    }

    private static void runWithFailure(
            MapFunction<KeyedValue, KeyedValue> failure, BooleanSupplier failed) throws Exception {
        String input = KAFKA.createTopic("eos-in", 2);
        String output = KAFKA.createTopic("eos-out", 2);
        produceNumbered(input, RECORDS);

        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        env.setParallelism(2);
        // A failed checkpoint fails the job, as in production (flink-conf tolerates none).
        env.getCheckpointConfig().setTolerableCheckpointFailureNumber(0);
        env.fromSource(source(input), WatermarkStrategy.noWatermarks(), "kafka-in")
                .map(new Slowdown<>(5))
                .returns(KeyedValue.class)
                .keyBy(KeyedValue::key)
                .process(new CountPerKey())
                .uid("count-per-key")
                .map(failure)
                .returns(KeyedValue.class)
                .sinkTo(sink(output, "eos-kit-" + output));
        env.execute("exactly-once test kit");

        assertThat(failed.getAsBoolean())
                .as("the failure must have been injected for this test to mean anything")
                .isTrue();

        List<ConsumerRecord<byte[], byte[]>> committed = KAFKA.drain(output);
        List<String> values = KafkaBrokerExtension.values(committed);
        // Each value is "i,count"; the i-th record of key k (i % KEYS == k) is that key's (i / KEYS
        // + 1)-th record.
        List<Integer> inputs =
                values.stream()
                        .map(v -> Integer.parseInt(v.split(",")[0]))
                        .sorted()
                        .collect(Collectors.toList());
        assertThat(inputs)
                .isEqualTo(IntStream.range(0, RECORDS).boxed().collect(Collectors.toList()));
        for (String v : values) {
            int i = Integer.parseInt(v.split(",")[0]);
            long count = Long.parseLong(v.split(",")[1]);
            assertThat(count).as("count of record %d", i).isEqualTo(i / KEYS + 1);
        }
        for (ConsumerRecord<byte[], byte[]> r : committed) {
            int i = Integer.parseInt(new String(r.value(), StandardCharsets.UTF_8).split(",")[0]);
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("k" + (i % KEYS));
        }
    }

    /** Writes the values 0 .. n - 1 to {@code topic}, value i keyed "k" + i % KEYS. */
    private static void produceNumbered(String topic, int n) {
        List<Map.Entry<String, String>> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            records.add(Map.entry("k" + (i % KEYS), Integer.toString(i)));
        }
        KAFKA.produceStrings(topic, records);
    }

    /** Counts records per key in keyed (RocksDB) state and emits "value,count". */
    static final class CountPerKey extends KeyedProcessFunction<String, KeyedValue, KeyedValue> {
        private transient ValueState<Long> count;

        @Override
        public void open(OpenContext openContext) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
        }

        @Override
        public void processElement(KeyedValue in, Context ctx, Collector<KeyedValue> out)
                throws Exception {
            long next = (count.value() == null ? 0 : count.value()) + 1;
            count.update(next);
            out.collect(new KeyedValue(in.key(), in.value() + "," + next));
        }
    }

    private static KafkaSource<KeyedValue> source(String topic) {
        return source(topic, true);
    }

    private static KafkaSource<KeyedValue> source(String topic, boolean bounded) {
        KafkaSourceBuilder<KeyedValue> source =
                KafkaSource.<KeyedValue>builder()
                        .setBootstrapServers(KAFKA.bootstrapServers())
                        .setTopics(topic)
                        .setGroupId("eos-kit")
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setDeserializer(new KeyedValueDeserializer());
        if (bounded) {
            source.setBounded(OffsetsInitializer.latest());
        }
        return source.build();
    }

    private static ReportingKafkaSink<KeyedValue> sink(String topic, String transactionalIdPrefix) {
        return sink(topic, transactionalIdPrefix, Duration.ofMinutes(1));
    }

    private static ReportingKafkaSink<KeyedValue> sink(
            String topic, String transactionalIdPrefix, Duration transactionTimeout) {
        return new ReportingKafkaSink<>(
                KafkaSink.<KeyedValue>builder()
                        .setBootstrapServers(KAFKA.bootstrapServers())
                        .setRecordSerializer(new KeyedValueSerializer(topic))
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .setTransactionalIdPrefix(transactionalIdPrefix)
                        // The jobs' naming strategy, which aborts what a failure left open by
                        // listing it.
                        .setTransactionNamingStrategy(KafkaOptions.TRANSACTION_NAMING)
                        .setProperty(
                                "transaction.timeout.ms",
                                Long.toString(transactionTimeout.toMillis()))
                        .build());
    }

    private static final class KeyedValueSerializer
            implements KafkaRecordSerializationSchema<KeyedValue>, KafkaDatasetFacetProvider {
        private final String topic;

        KeyedValueSerializer(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                KeyedValue kv, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(
                    topic,
                    kv.key().getBytes(StandardCharsets.UTF_8),
                    kv.value().getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
            return Optional.of(
                    new DefaultKafkaDatasetFacet(
                            DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
        }
    }

    private static final class KeyedValueDeserializer
            implements KafkaRecordDeserializationSchema<KeyedValue> {
        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<KeyedValue> out) {
            out.collect(
                    new KeyedValue(
                            new String(record.key(), StandardCharsets.UTF_8),
                            new String(record.value(), StandardCharsets.UTF_8)));
        }

        @Override
        public TypeInformation<KeyedValue> getProducedType() {
            return TypeInformation.of(KeyedValue.class);
        }
    }
}
