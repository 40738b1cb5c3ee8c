package io.eventml.ingestion;

import io.eventml.common.event.EventSource;
import io.eventml.common.serde.ReasonCode;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.Collector;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The records the issue saw rejected: a hit with a blank device, one with a 167-character device, a
 * loyalty update with a blank reason. Each is kept, and each repair is counted per field.
 */
class RawRecordDeserializerTest {
    private static final String CLICK =
            "{\"eventId\":\"c-%d\",\"sessionId\":\"s-1\",\"userId\":\"u-1\",\"action\":\"product_view\","
                    + "\"itemId\":\"sku-1\",\"page\":\"/p/sku-1\",\"device\":\"%s\","
                    + "\"timestamp\":\"2026-11-24T10:15:30.123Z\"}";
    private static final String LOYALTY =
            "{\"memberId\":\"u-1\",\"tier\":\"GOLD\",\"pointsDelta\":1,\"balance\":2,\"reason\":\"%s\","
                    + "\"ts\":1763979330123}";

    @Test
    void blankAndOverlongDescriptiveFieldsCostNoEventAndAreCountedPerField() throws Exception {
        RawRecordDeserializer deserializer =
                new RawRecordDeserializer(
                        Map.of(
                                "raw.clickstream",
                                EventSource.CLICKSTREAM,
                                "raw.loyalty",
                                EventSource.LOYALTY),
                        RawIngestor.withDefaults());
        RecordingGroup metrics = new RecordingGroup("", new HashMap<>());
        deserializer.open(context(metrics));

        List<Ingested> out = new ArrayList<>();
        Collector<Ingested> collector = collector(out);
        deserializer.deserialize(record("raw.clickstream", CLICK.formatted(1, "")), collector);
        deserializer.deserialize(
                record("raw.clickstream", CLICK.formatted(2, "d".repeat(167))), collector);
        deserializer.deserialize(
                record("raw.clickstream", CLICK.formatted(3, "mobile")), collector);
        deserializer.deserialize(record("raw.loyalty", LOYALTY.formatted(" ")), collector);
        deserializer.deserialize(record("raw.loyalty", "{\"memberId\":1}"), collector);

        assertThat(out).hasSize(5);
        assertThat(out.subList(0, 4)).noneMatch(Ingested::isDeadLetter);
        assertThat(out.get(0).events().get(0).attributes()).doesNotContainKey("device");
        assertThat(out.get(1).events().get(0).attributes().get("device")).hasSize(128);
        assertThat(out.get(2).events().get(0).attributes()).containsEntry("device", "mobile");
        assertThat(out.get(3).events().get(0).attributes()).doesNotContainKey("reason");
        assertThat(out.get(4).deadLetter().reason()).isEqualTo(ReasonCode.WRONG_TYPE);

        assertThat(metrics.count("eventml.source.clickstream.field.device.repaired")).isEqualTo(2);
        assertThat(metrics.count("eventml.source.loyalty.field.reason.repaired")).isEqualTo(1);
        assertThat(metrics.count("eventml.source.clickstream.canonicalOut")).isEqualTo(3);
        assertThat(metrics.count("eventml.source.loyalty.canonicalOut")).isEqualTo(1);
        assertThat(metrics.count("eventml.source.loyalty.deadLetters")).isEqualTo(1);
    }

    private static ConsumerRecord<byte[], byte[]> record(String topic, String value) {
        return new ConsumerRecord<>(topic, 0, 7L, null, value.getBytes(StandardCharsets.UTF_8));
    }

    private static Collector<Ingested> collector(List<Ingested> out) {
        return new Collector<>() {
            @Override
            public void collect(Ingested record) {
                out.add(record);
            }

            @Override
            public void close() {}
        };
    }

    private static DeserializationSchema.InitializationContext context(MetricGroup group) {
        return new DeserializationSchema.InitializationContext() {
            @Override
            public MetricGroup getMetricGroup() {
                return group;
            }

            @Override
            public UserCodeClassLoader getUserCodeClassLoader() {
                return SimpleUserCodeClassLoader.create(getClass().getClassLoader());
            }
        };
    }

    /** A metric group that keeps its counters by dotted name, for the test to read. */
    private static final class RecordingGroup extends UnregisteredMetricsGroup {
        private final String path;
        private final Map<String, Counter> counters;

        RecordingGroup(String path, Map<String, Counter> counters) {
            this.path = path;
            this.counters = counters;
        }

        long count(String name) {
            Counter counter = counters.get(name);
            assertThat(counter).as("counter %s in %s", name, counters.keySet()).isNotNull();
            return counter.getCount();
        }

        @Override
        public Counter counter(String name) {
            return counter(name, new SimpleCounter());
        }

        @Override
        public <C extends Counter> C counter(String name, C counter) {
            counters.put(path + name, counter);
            return counter;
        }

        @Override
        public MetricGroup addGroup(String name) {
            return new RecordingGroup(path + name + ".", counters);
        }

        @Override
        public MetricGroup addGroup(String key, String value) {
            return new RecordingGroup(path + key + "." + value + ".", counters);
        }
    }
}
