package io.eventml.common;

import io.eventml.common.event.DeadLetter;
import io.eventml.common.raw.RawFixtures;
import io.eventml.common.serde.Codec;
import io.eventml.common.serde.Decoded;
import io.eventml.common.serde.JsonLimits;
import io.eventml.common.topic.Topic;
import io.eventml.common.topic.Topics;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The examples in docs/events.md decode with their topic's codec, so the page stays true. */
class DocsExamplesTest {

    private static final Path EVENTS_MD = Path.of("..", "docs", "events.md");
    private static final Pattern EXAMPLE =
            Pattern.compile("<!-- example: ([a-z.-]+) -->\\s*```json\\s*(.*?)```", Pattern.DOTALL);

    /**
     * Codecs on the fixed test clock, keyed by topic name; the docs' examples are dated around it.
     * Topics without time bounds use their registry codec.
     */
    private static final Map<String, Codec<?>> CODECS =
            Map.of(
                    "raw.clickstream", RawFixtures.CLICKSTREAM,
                    "raw.orders", RawFixtures.ORDERS,
                    "raw.loyalty", RawFixtures.LOYALTY,
                    "raw.social", RawFixtures.SOCIAL,
                    "raw.sensors", RawFixtures.SENSORS,
                    "events.canonical",
                            new io.eventml.common.event.CanonicalEventCodec(
                                    JsonLimits.DEFAULT, RawFixtures.BOUNDS),
                    "events.dlq", Topics.EVENTS_DLQ.valueCodec());

    @Test
    void everyRegisteredTopicHasAnExampleThatDecodes() throws IOException {
        Map<String, List<String>> examples = examples();
        assertThat(examples.keySet())
                .containsExactlyInAnyOrderElementsOf(
                        Topics.all().stream().map(Topic::name).collect(Collectors.toList()));
        examples.forEach(
                (topic, jsons) -> {
                    for (String json : jsons) {
                        Decoded<?> decoded =
                                CODECS.getOrDefault(
                                                topic,
                                                Topics.byName(topic).orElseThrow().valueCodec())
                                        .decode(json.getBytes(StandardCharsets.UTF_8));
                        assertThat(decoded.isValid())
                                .as("example of %s: %s", topic, decoded)
                                .isTrue();
                    }
                });
    }

    @Test
    void theDeadLetterExampleIsWhatTheOrdersCodecReallySays() throws IOException {
        DeadLetter d =
                (DeadLetter)
                        Topics.EVENTS_DLQ
                                .valueCodec()
                                .decode(
                                        examples()
                                                .get("events.dlq")
                                                .get(0)
                                                .getBytes(StandardCharsets.UTF_8))
                                .value();
        Decoded<?> original = RawFixtures.ORDERS.decode(d.payloadAsBytes());
        assertThat(original.error().reason()).isEqualTo(d.reason());
        assertThat(original.error().message()).isEqualTo(d.message());
        assertThat(d.payloadBytes()).isEqualTo(d.payloadAsBytes().length);
    }

    /** The examples of each topic, in the page's order. */
    private static Map<String, List<String>> examples() throws IOException {
        Matcher m = EXAMPLE.matcher(Files.readString(EVENTS_MD));
        Map<String, List<String>> examples = new LinkedHashMap<>();
        while (m.find()) {
            examples.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(m.group(2));
        }
        return examples;
    }
}
