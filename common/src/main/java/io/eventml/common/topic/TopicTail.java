package io.eventml.common.topic;

import io.eventml.common.config.KafkaOptions;
import io.eventml.common.serde.Decoded;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The newest committed record of a key on a registry topic, found by reading the topic backwards
 * from its end in growing windows: a look-up costs a few hundred records however long the topic is.
 * For topics whose records of a key come from one writer in order ({@code ml.models}, {@code
 * ml.model-decisions}): the newest record of a key is then its last one. Records that do not decode
 * are passed over.
 */
public final class TopicTail {
    private static final int FIRST_WINDOW = 256;

    private TopicTail() {}

    /**
     * The last committed, readable value with {@code key} on the topic; empty when there is none.
     *
     * @throws IllegalStateException when the broker cannot be reached or the topic does not exist
     *     within {@code timeout}
     */
    public static <T> Optional<T> newest(
            KafkaOptions kafka, Topic<String, T> topic, String key, Duration timeout) {
        return newest(kafka, topic, key, value -> true, timeout);
    }

    /**
     * The last committed, readable value with {@code key} on the topic that {@code wanted} accepts;
     * empty when there is none. Reads back only as far as it must.
     */
    public static <T> Optional<T> newest(
            KafkaOptions kafka,
            Topic<String, T> topic,
            String key,
            Predicate<T> wanted,
            Duration timeout) {
        String name = kafka.topic(topic);
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(kafka.readCommittedConsumerProperties())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(name, timeout);
            if (partitions == null || partitions.isEmpty()) {
                throw new IllegalStateException(
                        "topic " + name + " does not exist at " + kafka.bootstrapServers());
            }
            List<TopicPartition> all = new ArrayList<>();
            partitions.forEach(p -> all.add(new TopicPartition(name, p.partition())));
            // read_committed: the end is the last stable offset, past which nothing is committed.
            Map<TopicPartition, Long> ends = consumer.endOffsets(all, timeout);
            Map<TopicPartition, Long> begins = consumer.beginningOffsets(all, timeout);
            for (TopicPartition tp : all) {
                Optional<T> found =
                        newestIn(
                                consumer,
                                topic,
                                tp,
                                begins.get(tp),
                                ends.get(tp),
                                keyBytes,
                                wanted,
                                deadline);
                if (found.isPresent()) {
                    return found;
                }
            }
            return Optional.empty();
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new IllegalStateException(
                    "could not read " + name + " at " + kafka.bootstrapServers() + " in " + timeout,
                    e);
        }
    }

    private static <T> Optional<T> newestIn(
            KafkaConsumer<byte[], byte[]> consumer,
            Topic<String, T> topic,
            TopicPartition tp,
            long begin,
            long end,
            byte[] key,
            Predicate<T> wanted,
            long deadline) {
        consumer.assign(List.of(tp));
        long window = FIRST_WINDOW;
        while (end > begin) {
            long from = Math.max(begin, end - window);
            consumer.seek(tp, from);
            T last = null;
            while (consumer.position(tp) < end) {
                if (System.nanoTime() > deadline) {
                    throw new org.apache.kafka.common.errors.TimeoutException(
                            "reading " + tp + " took too long");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end
                            && r.value() != null
                            && r.key() != null
                            && Arrays.equals(r.key(), key)) {
                        Decoded<T> decoded = topic.valueCodec().decode(r.value());
                        if (decoded.isValid() && wanted.test(decoded.value())) {
                            last = decoded.value();
                        }
                    }
                }
            }
            if (last != null) {
                return Optional.of(last);
            }
            end = from;
            window *= 2;
        }
        return Optional.empty();
    }
}
