package io.eventml.common.config;

import io.eventml.common.serde.Codec;
import io.eventml.common.testkit.FlinkTestCluster;
import io.eventml.common.testkit.KafkaBrokerExtension;
import io.eventml.common.topic.TopicSerializer;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionListing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The exactly-once sinks' transactions against a real broker: ids unique per suite, the timeout
 * checked against the broker and the checkpoint timeout at start, and the naming strategy measured
 * by the transactional ids the broker keeps.
 */
class KafkaTransactionsTest {
    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final org.apache.flink.test.junit5.MiniClusterExtension FLINK =
            FlinkTestCluster.extension();

    private static final int CHECKPOINTS = 30;
    private static final int PARALLELISM = 2;

    @Test
    void theDefaultPrefixNamesTheJobAndTheSuite() {
        KafkaOptions plain =
                KafkaOptions.fromArgs(JobArgs.parse("ingestion", new String[0]), "ingestion");
        KafkaOptions suite =
                KafkaOptions.fromArgs(
                        JobArgs.parse("ingestion", new String[] {"--topic-suffix", "-blue"}),
                        "ingestion");
        assertThat(plain.transactionalIdPrefix()).isEqualTo("eventml-ingestion");
        assertThat(suite.transactionalIdPrefix()).isEqualTo("eventml-ingestion-blue");
        KafkaOptions chosen =
                KafkaOptions.fromArgs(
                        JobArgs.parse(
                                "ingestion",
                                new String[] {
                                    "--topic-suffix", "-blue", "--transactional-id-prefix", "tx"
                                }),
                        "ingestion");
        assertThat(chosen.transactionalIdPrefix()).isEqualTo("tx");
    }

    @Test
    void aTimeoutTheBrokerWouldRefuseOrThatACheckpointCanOutlastStopsTheJobAtStart() {
        assertThatThrownBy(
                        () ->
                                options(Duration.ofMinutes(16))
                                        .checkTransactions(Duration.ofMinutes(5)))
                .isInstanceOf(JobArgs.InvalidArgumentsException.class)
                .hasMessageContaining("--transaction-timeout is PT16M")
                .hasMessageContaining("allows at most PT15M (its transaction.max.timeout.ms)");
        assertThatThrownBy(
                        () ->
                                options(Duration.ofMinutes(5))
                                        .checkTransactions(Duration.ofMinutes(5)))
                .isInstanceOf(JobArgs.InvalidArgumentsException.class)
                .hasMessageContaining("a checkpoint may take up to PT5M");
        options(Duration.ofMinutes(15)).checkTransactions(Duration.ofMinutes(5));
        new KafkaOptions(
                        "127.0.0.1:1",
                        "unused",
                        DeliveryGuarantee.AT_LEAST_ONCE,
                        Duration.ofHours(1),
                        "")
                .checkTransactions(Duration.ofHours(2)); // no transactions, nothing to check
    }

    /**
     * The same job at parallelism 2 over {@value #CHECKPOINTS} checkpoints with each strategy: the
     * broker keeps every transactional id for {@code transactional.id.expiration.ms} (7 days by
     * default), so the count after the run is what a long run accumulates.
     */
    @Test
    void poolingKeepsTheBrokersTransactionalIdsFewWhereIncrementingAddsOnePerCheckpoint()
            throws Exception {
        long incrementing = transactionalIdsAfterARun(TransactionNamingStrategy.INCREMENTING);
        long pooling = transactionalIdsAfterARun(TransactionNamingStrategy.POOLING);
        System.out.printf(
                "transactional ids on the broker after %d checkpoints at parallelism %d:"
                        + " POOLING %d, INCREMENTING %d%n",
                CHECKPOINTS, PARALLELISM, pooling, incrementing);
        assertThat(pooling).isBetween((long) PARALLELISM, 4L * PARALLELISM);
        assertThat(incrementing).isGreaterThanOrEqualTo((long) CHECKPOINTS);
    }

    private static long transactionalIdsAfterARun(TransactionNamingStrategy naming)
            throws Exception {
        String suffix = KafkaBrokerExtension.uniqueSuffix();
        String topic = KAFKA.createTopic("tx-naming", PARALLELISM);
        KafkaOptions kafka =
                new KafkaOptions(
                        KAFKA.bootstrapServers(),
                        "naming" + suffix,
                        DeliveryGuarantee.EXACTLY_ONCE,
                        Duration.ofMinutes(5),
                        suffix);
        long records = (long) CHECKPOINTS * PARALLELISM * 2;
        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        env.setParallelism(PARALLELISM);
        env.fromSource(
                        new DataGeneratorSource<>(
                                (Long i) -> Long.toString(i),
                                records,
                                // Two records per subtask and checkpoint: the run spans them all.
                                RateLimiterStrategy.perCheckpoint(2),
                                Types.STRING),
                        WatermarkStrategy.noWatermarks(),
                        "numbers")
                .sinkTo(
                        kafka.sink(
                                "out",
                                new TopicSerializer<>(
                                        topic,
                                        Codec.utf8(),
                                        value -> value,
                                        value -> System.currentTimeMillis()),
                                naming));
        Set<Thread> before = adminClientThreads();
        env.execute("transaction naming " + naming);
        // The writers closed their admin clients (the connector leaves them open: their threads
        // held the job's class loader for five minutes).
        Set<Thread> left = adminClientThreads();
        for (int i = 0; i < 100 && !before.containsAll(left); i++) {
            Thread.sleep(100);
            left = adminClientThreads();
        }
        left.removeAll(before);
        assertThat(left).as("admin client threads the job left running").isEmpty();

        List<Long> written =
                KafkaBrokerExtension.values(KAFKA.drain(topic)).stream()
                        .map(Long::parseLong)
                        .sorted()
                        .collect(Collectors.toList());
        assertThat(written)
                .as("every record once, read_committed")
                .isEqualTo(LongStream.range(0, records).boxed().collect(Collectors.toList()));
        try (Admin admin = Admin.create(KAFKA.adminProperties())) {
            return admin.listTransactions().all().get(1, TimeUnit.MINUTES).stream()
                    .map(TransactionListing::transactionalId)
                    .filter(id -> id.startsWith(kafka.transactionalIdPrefix() + "-"))
                    .count();
        }
    }

    private static Set<Thread> adminClientThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("kafka-admin-client-thread"))
                .collect(Collectors.toSet());
    }

    private static KafkaOptions options(Duration transactionTimeout) {
        return new KafkaOptions(
                KAFKA.bootstrapServers(),
                "check",
                DeliveryGuarantee.EXACTLY_ONCE,
                transactionTimeout,
                "");
    }
}
