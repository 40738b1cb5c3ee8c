package io.eventml.ingestion;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.EventSource;
import io.eventml.common.event.EventType;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class DeduplicateEventsTest {
    private static final Duration TTL = Duration.ofHours(24);

    private static KeyedOneInputStreamOperatorTestHarness<String, CanonicalEvent, CanonicalEvent>
            harness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new DeduplicateEvents(TTL)),
                CanonicalEvent::eventId,
                Types.STRING);
    }

    private static CanonicalEvent view(String id, long time) {
        return new CanonicalEvent(
                1,
                id,
                EventType.PRODUCT_VIEW,
                EventSource.CLICKSTREAM,
                "u-1",
                "sku-1",
                null,
                time,
                time,
                0,
                0,
                Map.of());
    }

    private static List<String> ids(
            KeyedOneInputStreamOperatorTestHarness<String, CanonicalEvent, CanonicalEvent> h) {
        return h.extractOutputValues().stream()
                .map(CanonicalEvent::eventId)
                .collect(Collectors.toList());
    }

    @Test
    void forwardsTheFirstOfEachIdAndDropsRepeatsWithinTheTtlOnRocksDb() throws Exception {
        try (var h = harness()) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            h.open();
            h.setStateTtlProcessingTime(0);
            h.processElement(view("a", 1000), 1000);
            h.processElement(view("b", 1001), 1001);
            h.processElement(view("a", 1000), 1002);
            h.setStateTtlProcessingTime(TTL.toMillis() - 1);
            h.processElement(view("b", 1001), 1003);
            assertThat(ids(h)).containsExactly("a", "b");
            // The TTL is the only clean-up: no timers.
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void anIdIsForgottenOnceItsTtlHasPassed() throws Exception {
        try (var h = harness()) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            h.open();
            h.setStateTtlProcessingTime(0);
            h.processElement(view("a", 1000), 1000);
            h.setStateTtlProcessingTime(TTL.toMillis() + 1);
            h.processElement(view("a", 1000), 1001);
            assertThat(ids(h)).containsExactly("a", "a");
        }
    }

    @Test
    void expiredIdsAreLeftOutOfSnapshots() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.setStateTtlProcessingTime(0);
            h.processElement(view("a", 1000), 1000);
            h.processElement(view("b", 1000), 1000);
            h.setStateTtlProcessingTime(TTL.toMillis() / 2);
            h.processElement(view("c", 1000), 1000);
            h.setStateTtlProcessingTime(TTL.toMillis() + 1); // a and b expired, c not yet
            snapshot = h.snapshot(1L, 1L);
        }
        try (var restored = harness()) {
            restored.setStateTtlProcessingTime(TTL.toMillis() + 1);
            restored.initializeState(snapshot);
            restored.open();
            assertThat(restored.numKeyedStateEntries()).isEqualTo(1);
            restored.processElement(view("c", 1000), 2000);
            restored.processElement(view("a", 1000), 2000);
            assertThat(ids(restored)).containsExactly("a");
        }
    }

    @Test
    void lateEventsAreForwardedNotDropped() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processWatermark(10_000);
            h.processElement(new StreamRecord<>(view("late", 5_000), 5_000));
            assertThat(ids(h)).containsExactly("late");
        }
    }
}
