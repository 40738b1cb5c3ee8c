package io.eventml.common.topic;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.DeadLetter;
import io.eventml.common.features.FeatureVector;

import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * A record read from one of the suite's topics: its decoded value, or the dead letter that says why
 * it could not be read. Exactly one of the two is set.
 *
 * @param value the decoded value, or {@code null}
 * @param deadLetter the reason, origin and payload of an unreadable record, or {@code null}
 */
public record TopicInput<T>(T value, DeadLetter deadLetter) {
    /** The type of the inputs read from {@code events.canonical}. */
    public static final TypeInformation<TopicInput<CanonicalEvent>> CANONICAL_EVENTS =
            new TypeHint<TopicInput<CanonicalEvent>>() {}.getTypeInfo();

    /** The type of the inputs read from {@code features.user}. */
    public static final TypeInformation<TopicInput<FeatureVector>> FEATURE_VECTORS =
            new TypeHint<TopicInput<FeatureVector>>() {}.getTypeInfo();

    public boolean isValid() {
        return value != null;
    }
}
