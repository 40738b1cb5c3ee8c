package io.eventml.generator;

import io.eventml.common.config.KafkaOptions;
import io.eventml.common.event.EventSource;
import io.eventml.common.testkit.FlinkTestCluster;
import io.eventml.common.testkit.KafkaBrokerExtension;
import io.eventml.common.topic.Topics;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generator job writes exactly the library's records to the raw topics, split over parallel
 * subtasks.
 */
class GeneratorJobTest {

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    @Test
    void writesTheSimulatorsRecordsToTheirRawTopics() throws Exception {
        String suffix = KAFKA.createRegistryTopics(KafkaBrokerExtension.uniqueSuffix());
        GeneratorConfig config =
                new GeneratorConfig(
                        11,
                        5_000,
                        500,
                        2,
                        12,
                        100,
                        false,
                        Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS),
                        1_200,
                        new GeneratorConfig.Noise(0.05, 0.05, 0.1, Duration.ofSeconds(2), 0.01));
        KafkaOptions kafka =
                new KafkaOptions(
                        KAFKA.bootstrapServers(),
                        "gen-test" + suffix,
                        DeliveryGuarantee.EXACTLY_ONCE,
                        Duration.ofMinutes(5),
                        suffix);

        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        env.setParallelism(2);
        new GeneratorJob(config, GeneratorJob.kafkaSink(kafka)).build(env);
        env.execute("generator test");

        List<RawRecord> expected = new Simulator(config).records(0, config.ticks());
        for (EventSource source : EventSource.values()) {
            List<String> want =
                    expected.stream()
                            .filter(r -> r.source() == source)
                            .map(r -> r.key() + " " + r.deliveryTime() + " " + hex(r.value()))
                            .sorted()
                            .collect(Collectors.toList());
            List<String> got = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : KAFKA.drain(kafka.topic(Topics.raw(source)))) {
                got.add(
                        new String(r.key(), StandardCharsets.UTF_8)
                                + " "
                                + r.timestamp()
                                + " "
                                + hex(r.value()));
            }
            got.sort(null);
            assertThat(got).as("records of %s", source).hasSize(want.size()).isEqualTo(want);
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >> 4) & 0xF, 16))
                    .append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }
}
