package io.eventml.common.config;

import io.eventml.common.topic.Topic;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * How a job talks to Kafka, from its arguments.
 *
 * @param bootstrapServers {@code --bootstrap-servers}, default {@code 127.0.0.1:9092}
 * @param transactionalIdPrefix {@code --transactional-id-prefix}: must be unique per job and suite
 *     on the broker; by default {@code eventml-<job><topic suffix>}
 * @param deliveryGuarantee {@code --delivery-guarantee}: exactly-once (default), at-least-once or
 *     none
 * @param transactionTimeout {@code --transaction-timeout}: above the checkpoint timeout (a
 *     checkpoint may take that long before its transactions commit), at most the broker's {@code
 *     transaction.max.timeout.ms}; both checked when the job starts ({@link #checkTransactions})
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

    /** {@code --transaction-timeout} when not given. */
    public static final Duration DEFAULT_TRANSACTION_TIMEOUT = Duration.ofMinutes(10);

    /**
     * How the exactly-once sinks name their transactions: a small pool of ids per subtask, reused,
     * instead of a new id per checkpoint that the broker keeps for {@code
     * transactional.id.expiration.ms} (7 days by default); see docs/deploy.md for the measurement.
     */
    public static final TransactionNamingStrategy TRANSACTION_NAMING =
            TransactionNamingStrategy.POOLING;

    public static KafkaOptions fromArgs(JobArgs args, String job) {
        String bootstrapServers =
                args.string(
                        "bootstrap-servers", DEFAULT_BOOTSTRAP_SERVERS, "Kafka bootstrap servers");
        String suffix =
                args.string(
                                "topic-suffix",
                                "",
                                "appended to every topic name (tests, several suites on one broker)")
                        .trim();
        String prefix =
                args.string(
                        "transactional-id-prefix",
                        "eventml-" + job + suffix,
                        "prefix of the Kafka transactional ids; unique per job and suite on the"
                                + " broker");
        DeliveryGuarantee guarantee =
                switch (args.choice(
                        "delivery-guarantee",
                        "exactly-once",
                        List.of("exactly-once", "at-least-once", "none"),
                        "delivery guarantee of the Kafka sinks")) {
                    case "at-least-once" -> DeliveryGuarantee.AT_LEAST_ONCE;
                    case "none" -> DeliveryGuarantee.NONE;
                    default -> DeliveryGuarantee.EXACTLY_ONCE;
                };
        Duration transactionTimeout =
                args.duration(
                        "transaction-timeout",
                        DEFAULT_TRANSACTION_TIMEOUT,
                        Duration.ofSeconds(10),
                        "Kafka transaction timeout of exactly-once sinks");
        return new KafkaOptions(bootstrapServers, prefix, guarantee, transactionTimeout, suffix);
    }

    /**
     * Checks, when a job starts, that its exactly-once sinks can work: the broker answers, the
     * transaction timeout is within the broker's {@code transaction.max.timeout.ms} (the broker
     * refuses longer ones when a sink starts its first transaction), and longer than {@code
     * checkpointTimeout} (a transaction open for longer than its timeout is aborted by the broker,
     * losing the records of a checkpoint that then completes). Throws {@link
     * JobArgs.InvalidArgumentsException} saying what to change.
     */
    public void checkTransactions(Duration checkpointTimeout) {
        if (deliveryGuarantee != DeliveryGuarantee.EXACTLY_ONCE) {
            return;
        }
        if (checkpointTimeout.compareTo(transactionTimeout) >= 0) {
            throw new JobArgs.InvalidArgumentsException(
                    "--transaction-timeout is "
                            + transactionTimeout
                            + " but a checkpoint may take up to "
                            + checkpointTimeout
                            + " (execution.checkpointing.timeout): a checkpoint's transactions must"
                            + " outlive it, so choose a transaction timeout above the checkpoint"
                            + " timeout, or lower the checkpoint timeout");
        }
        Duration brokerMax = brokerMaxTransactionTimeout();
        if (brokerMax != null && transactionTimeout.compareTo(brokerMax) > 0) {
            throw new JobArgs.InvalidArgumentsException(
                    "--transaction-timeout is "
                            + transactionTimeout
                            + " but the broker at "
                            + bootstrapServers
                            + " allows at most "
                            + brokerMax
                            + " (its transaction.max.timeout.ms): choose at most "
                            + brokerMax
                            + ", or raise the broker's setting");
        }
    }

    /**
     * The broker's {@code transaction.max.timeout.ms}, as one of its nodes reports it; {@code
     * null}, with a warning, when the job's principal may not read broker configurations (the
     * broker then refuses a too long timeout itself when a sink begins, less clearly).
     */
    private Duration brokerMaxTransactionTimeout() {
        try (Admin admin = Admin.create(adminProperties())) {
            Node node = admin.describeCluster().nodes().get(60, TimeUnit.SECONDS).iterator().next();
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, node.idString());
            ConfigEntry entry =
                    admin.describeConfigs(List.of(broker))
                            .all()
                            .get(60, TimeUnit.SECONDS)
                            .get(broker)
                            .get("transaction.max.timeout.ms");
            return Duration.ofMillis(Long.parseLong(entry.value()));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthorizationException) {
                LoggerFactory.getLogger(KafkaOptions.class)
                        .warn(
                                "not allowed to read transaction.max.timeout.ms from {}; the"
                                        + " transaction timeout {} is not checked against it",
                                bootstrapServers,
                                transactionTimeout);
                return null;
            }
            throw cannotRead(e);
        } catch (Exception e) {
            throw cannotRead(e);
        }
    }

    private IllegalStateException cannotRead(Exception e) {
        return new IllegalStateException(
                "could not read transaction.max.timeout.ms from the broker at "
                        + bootstrapServers
                        + ": check --bootstrap-servers",
                e);
    }

    /** The name of a registry topic on this cluster. */
    public String topic(Topic<?, ?> topic) {
        return topic.name() + topicSuffix;
    }

    /**
     * A Kafka sink with these options. {@code name} tells this sink's transactional ids apart from
     * the job's other sinks ({@code <prefix>-<name>}). Its committer counts the transactions it
     * could not commit, telling lost records from recoveries ({@link ReportingKafkaSink}).
     */
    public <T> ReportingKafkaSink<T> sink(
            String name, KafkaRecordSerializationSchema<T> serializer) {
        return sink(name, serializer, TRANSACTION_NAMING);
    }

    /** Like {@link #sink(String, KafkaRecordSerializationSchema)} with another naming strategy. */
    public <T> ReportingKafkaSink<T> sink(
            String name,
            KafkaRecordSerializationSchema<T> serializer,
            TransactionNamingStrategy naming) {
        return new ReportingKafkaSink<>(kafkaSink(name, serializer, naming));
    }

    private <T> KafkaSink<T> kafkaSink(
            String name,
            KafkaRecordSerializationSchema<T> serializer,
            TransactionNamingStrategy naming) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(deliveryGuarantee)
                .setTransactionalIdPrefix(transactionalIdPrefix + "-" + name)
                .setTransactionNamingStrategy(naming)
                .setKafkaProducerConfig(producerProperties())
                .build();
    }

    /**
     * The partition count of a registry topic on the cluster, looked up when a job starts; stops
     * the job with a message when the topic does not exist or the broker cannot be reached.
     */
    public int partitionCount(Topic<?, ?> registryTopic) {
        String name = topic(registryTopic);
        try (Admin admin = Admin.create(adminProperties())) {
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

    private Properties adminProperties() {
        Properties p = new Properties();
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return p;
    }

    /**
     * Properties of a plain consumer that reads committed records only and commits no offsets: for
     * a job's look-ups outside its sources ({@link io.eventml.common.topic.TopicTail}).
     */
    public Properties readCommittedConsumerProperties() {
        Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.setProperty(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        p.setProperty(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.setProperty(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        return p;
    }

    /** Producer properties every sink sets. */
    public Properties producerProperties() {
        Properties p = new Properties();
        p.setProperty("transaction.timeout.ms", Long.toString(transactionTimeout.toMillis()));
        return p;
    }
}
