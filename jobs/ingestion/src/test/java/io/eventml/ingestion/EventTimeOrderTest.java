package io.eventml.ingestion;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.EventSource;
import io.eventml.common.event.EventType;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class EventTimeOrderTest {
    private static final long T = 1_763_978_400_000L;

    private static CanonicalEvent event(String id, long time) {
        return new CanonicalEvent(
                1,
                id,
                EventType.CLICK,
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

    private static OneInputStreamOperatorTestHarness<CanonicalEvent, CanonicalEvent> harness(
            OperatorSubtaskState restore) throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(new EventTimeOrder());
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    private static List<Long> times(
            OneInputStreamOperatorTestHarness<CanonicalEvent, CanonicalEvent> h) {
        return h.extractOutputValues().stream().map(CanonicalEvent::eventTime).toList();
    }

    @Test
    void eventsLeaveInEventTimeOrderWhenTheWatermarkPassesThemAndLateOnesAtOnce() throws Exception {
        try (var h = harness(null)) {
            h.processElement(new StreamRecord<>(event("c", T + 30), T + 30));
            h.processElement(new StreamRecord<>(event("a", T + 10), T + 10));
            h.processElement(new StreamRecord<>(event("b", T + 20), T + 20));
            assertThat(times(h)).isEmpty();
            h.processWatermark(new Watermark(T + 20));
            assertThat(times(h)).containsExactly(T + 10, T + 20);
            h.processElement(new StreamRecord<>(event("late", T + 5), T + 5));
            assertThat(times(h))
                    .as("behind the watermark: at once")
                    .containsExactly(T + 10, T + 20, T + 5);
            h.processWatermark(new Watermark(T + 100));
            assertThat(times(h)).containsExactly(T + 10, T + 20, T + 5, T + 30);
            // Records carry their event time; watermarks pass through after the events they
            // release.
            assertThat(h.getOutput().stream().filter(o -> o instanceof Watermark).count())
                    .isEqualTo(2);
        }
    }

    @Test
    void whenEveryInputIsIdleTheEventsHeldAreWrittenInOrder() throws Exception {
        try (var h = harness(null)) {
            h.processElement(new StreamRecord<>(event("b", T + 20), T + 20));
            h.processElement(new StreamRecord<>(event("a", T + 10), T + 10));
            h.processWatermark(new Watermark(T));
            assertThat(times(h)).isEmpty();
            h.processWatermarkStatus(WatermarkStatus.IDLE);
            assertThat(times(h)).containsExactly(T + 10, T + 20);
        }
    }

    @Test
    void theEventsWaitingForTheWatermarkSurviveARestore() throws Exception {
        List<CanonicalEvent> events = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            events.add(event("e" + i, T + i * 100L));
        }
        Collections.shuffle(events, new Random(3));
        var h = harness(null);
        for (CanonicalEvent e : events.subList(0, 100)) {
            h.processElement(new StreamRecord<>(e, e.eventTime()));
        }
        h.processWatermark(new Watermark(T + 5_000));
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        List<Long> before = times(h);
        h.close();

        h = harness(snapshot);
        for (CanonicalEvent e : events.subList(100, 200)) {
            h.processElement(new StreamRecord<>(e, e.eventTime()));
        }
        h.processWatermark(new Watermark(T + 100_000));
        List<Long> after = times(h);
        h.close();

        assertThat(before).isSorted().allMatch(t -> t <= T + 5_000).isNotEmpty();
        assertThat(after).isSorted();
        List<Long> all = new ArrayList<>(before);
        all.addAll(after);
        assertThat(all).hasSize(200).doesNotHaveDuplicates();
        long restored =
                events.subList(0, 100).stream()
                        .filter(e -> e.eventTime() > T + 5_000)
                        .filter(e -> after.contains(e.eventTime()))
                        .count();
        assertThat(restored)
                .as("events held at the snapshot, written after the restore")
                .isPositive();
    }
}
