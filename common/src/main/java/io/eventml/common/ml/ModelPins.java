package io.eventml.common.ml;

import io.eventml.common.config.KafkaOptions;
import io.eventml.common.topic.TopicTail;
import io.eventml.common.topic.Topics;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Pinning a model to a version for rollback, and releasing it: what {@code eventml.sh model pin}
 * and {@code unpin} do. A pin is a record on the compacted {@code ml.model-pins} carrying the
 * version's model as it was promoted, so a scorer can serve it without looking anything else up.
 */
public final class ModelPins {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private ModelPins() {}

    /**
     * A pin of {@code version}: a version the promotion gate promoted, found on {@code
     * ml.model-decisions} (or, once its decision has expired, on {@code ml.models}).
     *
     * @throws IllegalArgumentException when the version was rejected or cannot be found
     */
    public static ModelPin pinOf(KafkaOptions kafka, String model, long version, long now) {
        String line = ModelLines.key(model, ModelLines.specOf(version));
        Optional<ModelDecision> decision =
                TopicTail.newest(
                        kafka,
                        Topics.ML_MODEL_DECISIONS,
                        line,
                        d -> d.version() == version,
                        TIMEOUT);
        if (decision.isPresent() && !decision.get().promoted()) {
            throw new IllegalArgumentException(
                    "version "
                            + version
                            + " of "
                            + model
                            + " was rejected by the promotion gate ("
                            + decision.get().reason()
                            + "): pin a version that was promoted");
        }
        ModelUpdate pinned =
                decision.map(ModelDecision::model)
                        .or(
                                () ->
                                        TopicTail.newest(
                                                kafka,
                                                Topics.ML_MODELS,
                                                line,
                                                m -> m.version() == version,
                                                TIMEOUT))
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "version "
                                                        + version
                                                        + " of "
                                                        + model
                                                        + " is neither on "
                                                        + kafka.topic(Topics.ML_MODEL_DECISIONS)
                                                        + " nor on "
                                                        + kafka.topic(Topics.ML_MODELS)
                                                        + ": check the version and --model"));
        return ModelPin.pin(pinned, now);
    }

    /** Writes a pin or unpin to {@code ml.model-pins} and waits until the broker has it. */
    public static void write(KafkaOptions kafka, ModelPin pin) {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        p.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(
                            new ProducerRecord<>(
                                    kafka.topic(Topics.ML_MODEL_PINS),
                                    null,
                                    pin.at(),
                                    pin.modelName().getBytes(StandardCharsets.UTF_8),
                                    Topics.ML_MODEL_PINS.valueCodec().encode(pin)))
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException(
                    "could not write to "
                            + kafka.topic(Topics.ML_MODEL_PINS)
                            + " at "
                            + kafka.bootstrapServers(),
                    e);
        }
    }
}
