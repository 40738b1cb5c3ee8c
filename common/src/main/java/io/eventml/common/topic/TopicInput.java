package io.eventml.common.topic;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.DeadLetter;
import io.eventml.common.features.FeatureVector;
import io.eventml.common.ml.ModelPin;

import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * A record read from one of the suite's topics: its decoded value, the dead letter that says why it
 * could not be read, or neither when the reader skipped it undecoded (see {@link
 * TopicDeserializer#skipping}); a skipped record keeps only its Kafka timestamp, so that it still
 * moves the watermark.
 *
 * @param value the decoded value, or {@code null}
 * @param deadLetter the reason, origin and payload of an unreadable record, or {@code null}
 * @param skippedTime the Kafka timestamp of a skipped record (epoch ms); 0 otherwise
 */
public record TopicInput<T>(T value, DeadLetter deadLetter, long skippedTime) {
    /** The type of the inputs read from {@code events.canonical}. */
    public static final TypeInformation<TopicInput<CanonicalEvent>> CANONICAL_EVENTS =
            new TypeHint<TopicInput<CanonicalEvent>>() {}.getTypeInfo();

    /** The type of the inputs read from {@code features.user}. */
    public static final TypeInformation<TopicInput<FeatureVector>> FEATURE_VECTORS =
            new TypeHint<TopicInput<FeatureVector>>() {}.getTypeInfo();

    /** The type of the inputs read from {@code ml.model-pins}. */
    public static final TypeInformation<TopicInput<ModelPin>> MODEL_PINS =
            new TypeHint<TopicInput<ModelPin>>() {}.getTypeInfo();

    public static <T> TopicInput<T> of(T value) {
        return new TopicInput<>(value, null, 0L);
    }

    public static <T> TopicInput<T> unreadable(DeadLetter deadLetter) {
        return new TopicInput<>(null, deadLetter, 0L);
    }

    public static <T> TopicInput<T> skipped(long recordTime) {
        return new TopicInput<>(null, null, recordTime);
    }

    public boolean isValid() {
        return value != null;
    }

    public boolean isDeadLetter() {
        return deadLetter != null;
    }

    public boolean isSkipped() {
        return value == null && deadLetter == null;
    }
}
