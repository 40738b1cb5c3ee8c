package io.eventml.common.topic;

import io.eventml.common.event.EventSource;

import org.junit.jupiter.api.Test;

import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class TopicsTest {

    @Test
    void namesAreThoseOtherToolsRelyOn() {
        assertThat(Topics.all().stream().map(Topic::name).collect(Collectors.toList()))
                .containsExactly(
                        "raw.clickstream",
                        "raw.orders",
                        "raw.loyalty",
                        "raw.social",
                        "raw.sensors",
                        "events.canonical",
                        "events.dlq",
                        "features.user",
                        "ml.training-examples",
                        "ml.models",
                        "ml.model-decisions",
                        "ml.model-pins",
                        "ml.predictions",
                        "ml.served-quality",
                        "ml.drift");
    }

    @Test
    void everySourceHasItsRawTopicAndLookupsByNameWork() {
        for (EventSource source : EventSource.values()) {
            Topic<String, ?> topic = Topics.raw(source);
            assertThat(topic.name()).isEqualTo("raw." + source.name().toLowerCase());
            assertThat(Topics.byName(topic.name())).containsSame(topic);
        }
        assertThat(Topics.byName("raw.unknown")).isEmpty();
    }

    @Test
    void theRegistryIsImmutable() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Topics.all().clear())
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
