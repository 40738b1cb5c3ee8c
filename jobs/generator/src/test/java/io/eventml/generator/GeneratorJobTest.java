package io.eventml.generator;

import io.eventml.common.config.KafkaOptions;
import io.eventml.common.event.EventSource;
import io.eventml.common.testkit.FlinkTestCluster;
import io.eventml.common.testkit.KafkaBrokerExtension;
import io.eventml.common.testkit.SavepointFixtures;
import io.eventml.common.topic.Topics;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generator job writes exactly the library's records to the raw topics, its world split in
 * shards over parallel subtasks, bounded or not.
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
        KafkaOptions kafka = kafka("gen-test", suffix);
        parallelGenerator(config, kafka).execute("generator test");

        // Two subtasks, two shards of the world, each over every tick.
        List<RawRecord> expected = new ArrayList<>();
        for (int shard = 0; shard < 2; shard++) {
            expected.addAll(new Simulator(config, shard, 2).records(0, config.ticks()));
        }
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

    /**
     * Unbounded at parallelism 2: both shards start at the first tick and advance together (an
     * unbounded source split by index ranges would start its second half near tick 2^62, far in the
     * simulated future).
     */
    @Test
    void runsUnboundedInParallelWithBothShardsFromTheFirstTick() throws Exception {
        String suffix = KAFKA.createRegistryTopics(KafkaBrokerExtension.uniqueSuffix());
        GeneratorConfig config = unboundedHourAgo(12);
        KafkaOptions kafka = kafka("gen-unbounded", suffix);
        JobClient job = parallelGenerator(config, kafka).executeAsync("generator, unbounded");
        // Ten ticks a second per shard: a few seconds of simulated time, committed at checkpoints.
        Thread.sleep(8_000);
        job.cancel().get(1, TimeUnit.MINUTES);

        assertShardsAreTheSimulators(config, kafka, newestTicks(config, kafka));
    }

    /**
     * A generator restored from a savepoint continues its own simulated timeline although it is
     * given another {@code --start-time} (a day later): together, the two runs wrote each shard's
     * records of one uninterrupted simulator, every tick once. A restore at another parallelism is
     * refused with a message that names the one to use.
     */
    @Test
    void aRestoredGeneratorKeepsItsStartTimeAndItsParallelism() throws Exception {
        String suffix = KAFKA.createRegistryTopics(KafkaBrokerExtension.uniqueSuffix());
        GeneratorConfig config = unboundedHourAgo(13);
        KafkaOptions kafka = kafka("gen-restore", suffix);
        JobClient first = parallelGenerator(config, kafka).executeAsync("generator, first run");
        Thread.sleep(5_000);
        String savepoint =
                first.stopWithSavepoint(
                                false,
                                Files.createTempDirectory("generator-savepoint").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get(1, TimeUnit.MINUTES);
        long ticksBeforeTheRestore =
                newestTicks(config, kafka).values().stream().min(Long::compare).orElseThrow();

        GeneratorConfig dayLater =
                config.withStartTime(config.startTime().plus(1, ChronoUnit.DAYS));
        Configuration restoring = FlinkTestCluster.configuration();
        restoring.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(restoring);
        env.setParallelism(2);
        new GeneratorJob(dayLater, GeneratorJob.kafkaSink(kafka)).build(env);
        JobClient second = env.executeAsync("generator, restored");
        Thread.sleep(5_000);
        second.cancel().get(1, TimeUnit.MINUTES);

        Map<Integer, Long> newest = newestTicks(config, kafka);
        assertThat(newest.values())
                .as("both shards went on after the restore")
                .allMatch(tick -> tick > ticksBeforeTheRestore);
        assertShardsAreTheSimulators(config, kafka, newest);

        // The same savepoint at parallelism 1: refused, naming the parallelism to restore at.
        StreamExecutionEnvironment single =
                StreamExecutionEnvironment.getExecutionEnvironment(restoring);
        single.setParallelism(1);
        new GeneratorJob(dayLater, GeneratorJob.kafkaSink(kafka)).build(single);
        JobClient refused = single.executeAsync("generator, restored at another parallelism");
        try {
            assertThat(awaitFirstException(refused)).contains("restore it at parallelism 2");
        } finally {
            SavepointFixtures.cancelIfRunning(refused);
        }
    }

    /**
     * The newest tick of each shard's committed clickstream records: a record belongs to the shard
     * of its session ("s-<tick>-<k>": shard (tick + k) % 2). Every record is within the first
     * minute of simulated time from the start of {@code config}.
     */
    private static Map<Integer, Long> newestTicks(GeneratorConfig config, KafkaOptions kafka) {
        Map<Integer, Long> newest = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r :
                KAFKA.drain(kafka.topic(Topics.raw(EventSource.CLICKSTREAM)))) {
            long start = config.startTime().toEpochMilli();
            assertThat(r.timestamp())
                    .as("every record within the first minute of simulated time")
                    .isBetween(start, start + 60_000);
            newest.merge(shardOf(r.value()), config.tickOf(r.timestamp()), Math::max);
        }
        return newest;
    }

    /**
     * Each of the two shards committed a prefix of its ticks: exactly its simulator's clickstream
     * records up to {@code newest} tick of the shard, each once.
     */
    private static void assertShardsAreTheSimulators(
            GeneratorConfig config, KafkaOptions kafka, Map<Integer, Long> newest) {
        Map<Integer, List<String>> got = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r :
                KAFKA.drain(kafka.topic(Topics.raw(EventSource.CLICKSTREAM)))) {
            got.computeIfAbsent(shardOf(r.value()), k -> new ArrayList<>())
                    .add(line(r.key(), r.timestamp(), r.value()));
        }
        assertThat(got).as("both shards wrote").containsOnlyKeys(0, 1);
        for (int shard = 0; shard < 2; shard++) {
            List<String> want =
                    new Simulator(config, shard, 2)
                            .records(0, newest.get(shard) + 1).stream()
                                    .filter(r -> r.source() == EventSource.CLICKSTREAM)
                                    .map(
                                            r ->
                                                    line(
                                                            r.key()
                                                                    .getBytes(
                                                                            StandardCharsets.UTF_8),
                                                            r.deliveryTime(),
                                                            r.value()))
                                    .sorted()
                                    .collect(Collectors.toList());
            List<String> shardGot = got.get(shard);
            shardGot.sort(null);
            assertThat(shardGot).as("clickstream of shard %d", shard).isEqualTo(want);
        }
    }

    private static int shardOf(byte[] clickstreamJson) {
        String[] session = sessionId(clickstreamJson).split("-");
        return (int) ((Long.parseLong(session[1]) + Long.parseLong(session[2])) % 2);
    }

    /** The first exception {@code job} reports, waiting up to a minute for one. */
    private static String awaitFirstException(JobClient job) throws Exception {
        String path = "/jobs/" + job.getJobID() + "/exceptions";
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (System.nanoTime() < deadline) {
            JsonNode entries =
                    FlinkTestCluster.restJson(FLINK, path).path("exceptionHistory").path("entries");
            if (entries.size() > 0) {
                return entries.get(0).path("stacktrace").asText();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("job " + job.getJobID() + " reported no exception in a minute");
    }

    /** An unbounded world without noise, throttled, that started an hour ago. */
    private static GeneratorConfig unboundedHourAgo(long seed) {
        return new GeneratorConfig(
                seed,
                5_000,
                500,
                4,
                12,
                1_000,
                true,
                Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS),
                Long.MAX_VALUE,
                GeneratorConfig.Noise.NONE);
    }

    private static KafkaOptions kafka(String prefix, String suffix) {
        return new KafkaOptions(
                KAFKA.bootstrapServers(),
                prefix + suffix,
                DeliveryGuarantee.EXACTLY_ONCE,
                Duration.ofMinutes(5),
                suffix);
    }

    /** The generator job at parallelism 2, writing to {@code kafka}. */
    private static StreamExecutionEnvironment parallelGenerator(
            GeneratorConfig config, KafkaOptions kafka) {
        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        env.setParallelism(2);
        new GeneratorJob(config, GeneratorJob.kafkaSink(kafka)).build(env);
        return env;
    }

    private static String line(byte[] key, long timestamp, byte[] value) {
        return new String(key, StandardCharsets.UTF_8) + " " + timestamp + " " + hex(value);
    }

    private static String sessionId(byte[] clickstreamJson) {
        String json = new String(clickstreamJson, StandardCharsets.UTF_8);
        int at = json.indexOf("\"sessionId\":\"") + "\"sessionId\":\"".length();
        return json.substring(at, json.indexOf('"', at));
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
