package io.eventml.common.config;

import io.eventml.common.topic.Topic;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * How a job talks to Kafka, from its arguments.
 *
 * @param bootstrapServers {@code --bootstrap-servers}, default {@code 127.0.0.1:9092}
 * @param transactionalIdPrefix {@code --transactional-id-prefix}: must be unique per job on the
 *     cluster
 * @param deliveryGuarantee {@code --delivery-guarantee}: exactly-once (default), at-least-once or
 *     none
 * @param transactionTimeout {@code --transaction-timeout}: above the longest checkpoint plus
 *     restart, below the broker's {@code transaction.max.timeout.ms} (15 min by default)
 * @param topicSuffix {@code --topic-suffix}: appended to every registry topic name; empty in
 *     production, used to run several suites (or tests) on one broker
 */
public record KafkaOptions(
        String bootstrapServers,
        String transactionalIdPrefix,
        DeliveryGuarantee deliveryGuarantee,
        Duration transactionTimeout,
        String topicSuffix)
        implements Serializable {

    public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";

    /** Kafka's default {@code transaction.max.timeout.ms}. */
    public static final Duration BROKER_MAX_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

    public KafkaOptions {
        if (transactionTimeout.compareTo(BROKER_MAX_TRANSACTION_TIMEOUT) > 0) {
            throw new JobArgs.InvalidArgumentsException(
                    "--transaction-timeout is "
                            + transactionTimeout
                            + ", but a Kafka broker refuses more than its transaction.max.timeout.ms (15 min by"
                            + " default): choose at most PT15M");
        }
    }

    public static KafkaOptions fromArgs(JobArgs args, String job) {
        return new KafkaOptions(
                args.string(
                        "bootstrap-servers", DEFAULT_BOOTSTRAP_SERVERS, "Kafka bootstrap servers"),
                args.string(
                        "transactional-id-prefix",
                        "eventml-" + job,
                        "prefix of the Kafka transactional ids; unique per job on the cluster"),
                switch (args.choice(
                        "delivery-guarantee",
                        "exactly-once",
                        List.of("exactly-once", "at-least-once", "none"),
                        "delivery guarantee of the Kafka sinks")) {
                    case "at-least-once" -> DeliveryGuarantee.AT_LEAST_ONCE;
                    case "none" -> DeliveryGuarantee.NONE;
                    default -> DeliveryGuarantee.EXACTLY_ONCE;
                },
                args.duration(
                        "transaction-timeout",
                        Duration.ofMinutes(10),
                        Duration.ofSeconds(10),
                        "Kafka transaction timeout of exactly-once sinks"),
                args.string(
                                "topic-suffix",
                                "",
                                "appended to every topic name (tests, several suites on one broker)")
                        .trim());
    }

    /** The name of a registry topic on this cluster. */
    public String topic(Topic<?, ?> topic) {
        return topic.name() + topicSuffix;
    }

    /**
     * A Kafka sink with these options. {@code name} tells this sink's transactional ids apart from
     * the job's other sinks ({@code <prefix>-<name>}).
     */
    public <T> KafkaSink<T> sink(String name, KafkaRecordSerializationSchema<T> serializer) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(deliveryGuarantee)
                .setTransactionalIdPrefix(transactionalIdPrefix + "-" + name)
                .setKafkaProducerConfig(producerProperties())
                .build();
    }

    /**
     * The partition count of a registry topic on the cluster, looked up when a job starts; stops
     * the job with a message when the topic does not exist or the broker cannot be reached.
     */
    public int partitionCount(Topic<?, ?> registryTopic) {
        String name = topic(registryTopic);
        Properties p = new Properties();
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(p)) {
            return admin.describeTopics(List.of(name))
                    .allTopicNames()
                    .get(60, TimeUnit.SECONDS)
                    .get(name)
                    .partitions()
                    .size();
        } catch (Exception e) {
            throw new IllegalStateException(
                    "could not find topic "
                            + name
                            + " at "
                            + bootstrapServers
                            + ": create the registry topics first (deploy/local/eventml.sh up does),"
                            + " or check --bootstrap-servers and --topic-suffix",
                    e);
        }
    }

    /** Producer properties every sink sets. */
    public Properties producerProperties() {
        Properties p = new Properties();
        p.setProperty("transaction.timeout.ms", Long.toString(transactionTimeout.toMillis()));
        return p;
    }
}
