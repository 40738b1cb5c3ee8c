package io.eventml.common.topic;

import io.eventml.common.config.KafkaOptions;
import io.eventml.common.ml.ModelUpdate;
import io.eventml.common.testkit.KafkaBrokerExtension;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.ml.linalg.DenseVector;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicTailTest {
    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static ModelUpdate model(String name, long version) {
        return new ModelUpdate(
                name, version, new DenseVector(new double[] {version, 1}), 0, 0.3, 0.7, 0.1, 1, 0);
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String key, byte[] value) {
        return new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value);
    }

    private static byte[] encode(ModelUpdate m) {
        return Topics.ML_MODELS.valueCodec().encode(m);
    }

    private static Optional<Long> newestVersion(KafkaOptions kafka, String key) {
        return TopicTail.newest(kafka, Topics.ML_MODELS, key, TIMEOUT).map(ModelUpdate::version);
    }

    @Test
    void findsTheLastCommittedReadableRecordOfAKeyFarBackAndIgnoresAbortedAndOpenTransactions()
            throws Exception {
        String suffix = KAFKA.createRegistryTopics(KafkaBrokerExtension.uniqueSuffix());
        KafkaOptions kafka =
                new KafkaOptions(
                        KAFKA.bootstrapServers(),
                        "tail" + suffix,
                        DeliveryGuarantee.EXACTLY_ONCE,
                        Duration.ofMinutes(1),
                        suffix);
        String topic = kafka.topic(Topics.ML_MODELS);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (long v = 1; v <= 3; v++) {
            records.add(record(topic, "a", encode(model("a", v))));
        }
        // Model b's 1,000 versions bury a's last record beyond the first windows read.
        for (long v = 1; v <= 1000; v++) {
            records.add(record(topic, "b", encode(model("b", v))));
        }
        // A record of a that does not decode is passed over.
        records.add(record(topic, "a", "{\"modelName\": \"a\"".getBytes(StandardCharsets.UTF_8)));
        KAFKA.produce(records);
        assertThat(newestVersion(kafka, "a")).contains(3L);
        assertThat(newestVersion(kafka, "b")).contains(1000L);
        assertThat(newestVersion(kafka, "c")).isEmpty();

        Properties props = KAFKA.producerProperties();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tail-test" + suffix);
        props.remove(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(record(topic, "b", encode(model("b", 1001)))).get();
            producer.abortTransaction();
            assertThat(newestVersion(kafka, "b")).as("aborted: never read").contains(1000L);

            producer.beginTransaction();
            producer.send(record(topic, "b", encode(model("b", 1002)))).get();
            producer.flush();
            assertThat(newestVersion(kafka, "b")).as("still open: not read").contains(1000L);
            producer.commitTransaction();
            assertThat(newestVersion(kafka, "b")).contains(1002L);
        }
    }

    @Test
    void aMissingTopicIsAClearError() {
        KafkaOptions kafka =
                new KafkaOptions(
                        KAFKA.bootstrapServers(),
                        "tail",
                        DeliveryGuarantee.EXACTLY_ONCE,
                        Duration.ofMinutes(1),
                        "-never-created");
        assertThatThrownBy(
                        () -> TopicTail.newest(kafka, Topics.ML_MODELS, "a", Duration.ofSeconds(5)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ml.models-never-created");
    }
}
