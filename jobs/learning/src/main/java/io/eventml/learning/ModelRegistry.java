package io.eventml.learning;

import io.eventml.common.config.KafkaOptions;
import io.eventml.common.ml.ModelDecision;
import io.eventml.common.ml.ModelLines;
import io.eventml.common.ml.ModelPin;
import io.eventml.common.ml.ModelUpdate;
import io.eventml.common.topic.TopicTail;
import io.eventml.common.topic.Topics;

import java.io.Serializable;
import java.time.Duration;

/**
 * What has been published of a model before this run of the job: the version it serves, the newest
 * version number the trainer ever gave, and an operator's pin. The scorer serves that version until
 * a newer one is promoted, so a job started fresh or without its state scores at once; the trainer
 * numbers its next candidate after it and measures candidates against it, so versions stay
 * monotonic and a trainer whose state was reset cannot displace a better model.
 */
@FunctionalInterface
public interface ModelRegistry extends Serializable {

    /** How long a look-up may take before the operator fails (and the job restarts). */
    Duration LOOKUP_TIMEOUT = Duration.ofSeconds(60);

    /**
     * @param serving the newest version on {@code ml.models}, the newest promoted; null when none
     * @param lastVersion the newest version on {@code ml.models} or {@code ml.model-decisions}; 0
     *     when none
     * @param pin the newest record on {@code ml.model-pins}; null when none
     */
    record Published(ModelUpdate serving, long lastVersion, ModelPin pin) {
        public static final Published NONE = new Published(null, 0, null);

        public Published(ModelUpdate serving, long lastVersion) {
            this(serving, lastVersion, null);
        }
    }

    /**
     * What has been published of the model line {@code line} ({@link ModelLines#key}): its serving
     * and newest version, and the model's pin; called once per line and run of an operator.
     */
    Published lookup(String line);

    /** Nothing was ever published: a job whose outputs start empty (operator tests). */
    static ModelRegistry none() {
        return name -> Published.NONE;
    }

    /**
     * The committed tails of {@code ml.models}, {@code ml.model-decisions} and {@code
     * ml.model-pins}: the last record of the line on the first two (one writer appends them in
     * version order), of the model on the pins (appended in the order they were made).
     */
    static ModelRegistry kafka(KafkaOptions kafka) {
        return name -> {
            ModelUpdate serving =
                    TopicTail.newest(kafka, Topics.ML_MODELS, name, LOOKUP_TIMEOUT).orElse(null);
            long decided =
                    TopicTail.newest(kafka, Topics.ML_MODEL_DECISIONS, name, LOOKUP_TIMEOUT)
                            .map(ModelDecision::version)
                            .orElse(0L);
            ModelPin pin =
                    TopicTail.newest(
                                    kafka,
                                    Topics.ML_MODEL_PINS,
                                    ModelLines.modelOf(name),
                                    LOOKUP_TIMEOUT)
                            .orElse(null);
            return new Published(
                    serving, Math.max(decided, serving == null ? 0 : serving.version()), pin);
        };
    }
}
