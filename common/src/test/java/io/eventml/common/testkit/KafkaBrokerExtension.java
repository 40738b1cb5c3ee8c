package io.eventml.common.testkit;

import io.eventml.common.topic.Topics;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * JUnit 5 extension that starts one real {@link KafkaBroker} per test class, with helpers to create
 * a uniquely named topic, produce records and drain a topic up to its end offsets.
 *
 * <pre>{@code
 * @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
 * }</pre>
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {
    /** How long {@link #drain} waits for the records up to the end offsets before failing. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);

    private KafkaBroker broker;

    @Override
    public void beforeAll(ExtensionContext context) {
        broker = KafkaBroker.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    public String bootstrapServers() {
        if (broker == null) {
            throw new IllegalStateException(
                    "the Kafka broker is not running: register the extension as static");
        }
        return broker.bootstrapServers();
    }

    /** Creates a topic named {@code prefix-<random>} and returns its name. */
    public String createTopic(String prefix, int partitions) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        createTopic(new NewTopic(name, partitions, (short) 1));
        return name;
    }

    /**
     * Creates every topic of the registry named with {@code suffix} (as jobs do with {@code
     * --topic-suffix}), with the registry's partitions and cleanup policy; returns the suffix.
     */
    public String createRegistryTopics(String suffix) {
        try (Admin admin = Admin.create(adminProperties())) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> topics =
                    Topics.all().stream()
                            // A savepoint fixture's topics may exist from the run that wrote it.
                            .filter(t -> !existing.contains(t.name() + suffix))
                            .map(
                                    t ->
                                            new NewTopic(
                                                            t.name() + suffix,
                                                            t.partitions(),
                                                            (short) 1)
                                                    .configs(
                                                            Map.of(
                                                                    "cleanup.policy",
                                                                    t.cleanupPolicy()
                                                                            .configValue())))
                            .collect(Collectors.toList());
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(
                    "cannot create the registry topics with suffix " + suffix, e);
        }
        return suffix;
    }

    /** A fresh suffix for {@link #createRegistryTopics(String)}: {@code -<8 random hex digits>}. */
    public static String uniqueSuffix() {
        return "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Creates a topic exactly as given (name, partitions, configs). */
    public void createTopic(NewTopic topic) {
        try (Admin admin = Admin.create(adminProperties())) {
            admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + topic.name(), e);
        }
    }

    public Properties adminProperties() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return props;
    }

    /** Properties of a plain (non-transactional, idempotent) byte-array producer. */
    public Properties producerProperties() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // One request in flight: a transient error on the first batch to a partition that was just
        // created cannot
        // let a later batch be written first (the broker then accepts any first sequence number,
        // and the retried
        // batch fails forever with OutOfOrderSequenceException).
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        return props;
    }

    /** Writes the records and waits until all are acknowledged. */
    public void produce(Collection<ProducerRecord<byte[], byte[]>> records) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties())) {
            List<java.util.concurrent.Future<?>> acks = new ArrayList<>(records.size());
            for (ProducerRecord<byte[], byte[]> record : records) {
                acks.add(producer.send(record));
            }
            producer.flush();
            for (var ack : acks) {
                ack.get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot produce to Kafka", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while producing", e);
        }
    }

    /** Writes UTF-8 key/value pairs to a topic, in order. */
    public void produceStrings(String topic, List<Map.Entry<String, String>> keyValues) {
        produce(
                keyValues.stream()
                        .map(
                                kv ->
                                        new ProducerRecord<>(
                                                topic,
                                                kv.getKey() == null
                                                        ? null
                                                        : kv.getKey()
                                                                .getBytes(StandardCharsets.UTF_8),
                                                kv.getValue().getBytes(StandardCharsets.UTF_8)))
                        .collect(Collectors.toList()));
    }

    /**
     * Reads every committed record of the topic, from the beginning up to its end offsets at the
     * time of the call, with {@code isolation.level=read_committed}: records of aborted or still
     * open transactions are not returned.
     */
    public List<ConsumerRecord<byte[], byte[]>> drain(String topic) {
        return drain(topic, "read_committed");
    }

    private List<ConsumerRecord<byte[], byte[]>> drain(String topic, String isolationLevel) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        props.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // With read_committed these are the last stable offsets: the end of the committed data.
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "could not read "
                                    + topic
                                    + " up to "
                                    + end
                                    + " within "
                                    + DRAIN_TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        records.add(r);
                    }
                }
            }
        }
        return records;
    }

    /** The values of {@code records} decoded as UTF-8. */
    public static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .collect(Collectors.toList());
    }

    /** The end offsets of every partition of the topics. */
    public Map<TopicPartition, Long> endOffsets(String... topics) throws Exception {
        try (Admin admin = Admin.create(adminProperties())) {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            admin.describeTopics(List.of(topics))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .forEach(
                            (name, description) ->
                                    description
                                            .partitions()
                                            .forEach(
                                                    p ->
                                                            request.put(
                                                                    new TopicPartition(
                                                                            name, p.partition()),
                                                                    OffsetSpec.latest())));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(request)
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .forEach((tp, info) -> ends.put(tp, info.offset()));
            return ends;
        }
    }

    /**
     * Waits (up to two minutes) until the consumer group committed exactly {@code offsets}: a Flink
     * Kafka source commits on checkpoints, so its job has read and checkpointed that far.
     */
    public void awaitCommitted(String groupId, Map<TopicPartition, Long> offsets) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        try (Admin admin = Admin.create(adminProperties())) {
            while (true) {
                Map<TopicPartition, Long> committed = committed(admin, groupId);
                if (committed.equals(offsets)) {
                    return;
                }
                failIfLate(deadline, committed, offsets);
                Thread.sleep(200);
            }
        }
    }

    /**
     * Waits (up to three minutes) until the consumer group committed {@code offsets} for these
     * partitions; its other partitions may be anywhere. For jobs that are paused on purpose on some
     * inputs (watermark alignment) or whose topics hold empty partitions.
     */
    public void awaitCommittedFor(String groupId, Map<TopicPartition, Long> offsets)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        try (Admin admin = Admin.create(adminProperties())) {
            while (true) {
                Map<TopicPartition, Long> committed = committed(admin, groupId);
                if (offsets.entrySet().stream()
                        .allMatch(e -> e.getValue().equals(committed.get(e.getKey())))) {
                    return;
                }
                failIfLate(deadline, committed, offsets);
                Thread.sleep(200);
            }
        }
    }

    /**
     * Past the deadline: prints the stacks of this JVM's Flink task and Kafka client threads (where
     * a job that stopped committing is stuck), then fails.
     */
    private static void failIfLate(
            long deadline, Map<TopicPartition, Long> committed, Map<TopicPartition, Long> offsets) {
        if (System.nanoTime() < deadline) {
            return;
        }
        StringBuilder dump = new StringBuilder("threads when the wait for offsets timed out:\n");
        Thread.getAllStackTraces()
                .forEach(
                        (thread, stack) -> {
                            String name = thread.getName();
                            if (name.contains("/2)#")
                                    || name.contains("/1)#")
                                    || name.startsWith("kafka-")
                                    || name.startsWith("Source Data Fetcher")
                                    || name.startsWith("Checkpoint")
                                    || name.startsWith("AsyncOperations")) {
                                dump.append(name)
                                        .append(' ')
                                        .append(thread.getState())
                                        .append('\n');
                                for (StackTraceElement e : stack) {
                                    dump.append("    at ").append(e).append('\n');
                                }
                            }
                        });
        System.out.println(dump);
        throw new AssertionError("committed " + committed + ", waiting for " + offsets);
    }

    private static Map<TopicPartition, Long> committed(Admin admin, String groupId)
            throws Exception {
        Map<TopicPartition, Long> committed = new HashMap<>();
        admin.listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS)
                .forEach((tp, o) -> committed.put(tp, o == null ? -1 : o.offset()));
        return committed;
    }
}
