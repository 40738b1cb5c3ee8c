package io.eventml.ops;

import io.eventml.common.ml.ModelUpdate;
import io.eventml.common.serde.Decoded;
import io.eventml.common.topic.Topic;
import io.eventml.common.topic.Topics;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * How far the suite is: each job's consumer lag, committed records not yet consumed, the newest
 * model, and sinks that lost transactions.
 */
final class SuiteStatus {
    /** The consumer groups of the jobs, and the topics each reads. */
    static final Map<String, List<Topic<?, ?>>> GROUPS =
            Map.of(
                    "eventml-ingestion",
                    List.of(
                            Topics.RAW_CLICKSTREAM,
                            Topics.RAW_ORDERS,
                            Topics.RAW_LOYALTY,
                            Topics.RAW_SOCIAL,
                            Topics.RAW_SENSORS),
                    "eventml-features",
                    List.of(Topics.EVENTS_CANONICAL),
                    "eventml-learning",
                    List.of(Topics.FEATURES_USER, Topics.EVENTS_CANONICAL));

    private SuiteStatus() {}

    /**
     * Says loudly which sinks of a job could not commit Kafka transactions: their records are lost
     * (docs/operations.md, "Lost transactions").
     */
    static void reportFailedCommits(Map<String, Long> failed) {
        failed.forEach(
                (sink, count) ->
                        System.out.printf(
                                "    DATA LOST: %,d Kafka transaction(s) of %s could not be committed"
                                        + " (aborted by the broker after the transaction timeout);"
                                        + " see docs/operations.md, \"Lost transactions\"%n",
                                count, sink));
    }

    static void status(Admin admin, String bootstrap, String suffix) throws Exception {
        System.out.println("Consumer lag (records behind the end of the input topics):");
        for (String group : new TreeSet<>(GROUPS.keySet())) {
            long[] lag = lag(admin, group, suffix);
            System.out.printf(
                    "  %-18s %,d%s%n",
                    group, lag[0], lag[1] == 0 ? " (no offsets committed yet)" : "");
        }
        ModelUpdate model = newestModel(bootstrap, Topics.ML_MODELS.name() + suffix);
        if (model == null) {
            System.out.println("Model: none published yet");
        } else {
            System.out.printf(
                    "Model: %s version %d, %,d examples, log loss %.4f, AUC %.3f, positive rate"
                            + " %.3f (over the last examples, each scored before it was learned)%n",
                    model.modelName(),
                    model.version(),
                    model.examples(),
                    model.logLoss(),
                    model.auc(),
                    model.positiveRate());
        }
    }

    /** A group's lag (offsets behind the ends of its topics) and how many offsets it committed. */
    static long[] lag(Admin admin, String group, String suffix) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (Topic<?, ?> t : GROUPS.get(group)) {
            for (int p = 0; p < t.partitions(); p++) {
                request.put(new TopicPartition(t.name() + suffix, p), OffsetSpec.latest());
            }
        }
        long lag = 0;
        for (var end : admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).entrySet()) {
            OffsetAndMetadata c = committed.get(end.getKey());
            lag += Math.max(0, end.getValue().offset() - (c == null ? 0 : c.offset()));
        }
        return new long[] {lag, committed.size()};
    }

    /** The committed records of a group's topics after its committed offsets. */
    static long recordsBehind(Admin admin, String bootstrap, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS);
        List<TopicPartition> partitions = new ArrayList<>();
        for (Topic<?, ?> t : GROUPS.get(group)) {
            for (int p = 0; p < t.partitions(); p++) {
                partitions.add(new TopicPartition(t.name(), p));
            }
        }
        long behind = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(consumerProperties(bootstrap))) {
            consumer.assign(partitions);
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata c = committed.get(tp);
                consumer.seek(tp, c == null ? 0 : c.offset());
            }
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))
                    && System.nanoTime() < deadline) {
                behind += consumer.poll(Duration.ofMillis(200)).count();
            }
        }
        return behind;
    }

    /** Properties of a read_committed byte-array consumer that commits nothing. */
    static Properties consumerProperties(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return props;
    }

    /** The last committed record of the models topic, decoded; null when there is none. */
    static ModelUpdate newestModel(String bootstrap, String topic) {
        Properties props = consumerProperties(bootstrap);
        ModelUpdate newest = null;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, Duration.ofSeconds(15))
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            for (TopicPartition tp : partitions) {
                long end = ends.get(tp);
                if (end == 0) {
                    continue;
                }
                // Transaction markers take offsets too: look back a little and keep the last.
                consumer.seek(tp, Math.max(0, end - 20));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Decoded<ModelUpdate> d = Topics.ML_MODELS.valueCodec().decode(r.value());
                    if (d.isValid() && (newest == null || d.value().version() > newest.version())) {
                        newest = d.value();
                    }
                }
            }
        }
        return newest;
    }
}
