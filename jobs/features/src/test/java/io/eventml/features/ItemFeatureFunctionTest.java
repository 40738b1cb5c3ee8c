package io.eventml.features;

import io.eventml.common.event.CanonicalEvent;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static io.eventml.features.Events.HOUR;
import static io.eventml.features.Events.MINUTE;
import static io.eventml.features.Events.T;
import static io.eventml.features.Events.purchase;
import static io.eventml.features.Events.view;
import static org.assertj.core.api.Assertions.assertThat;

class ItemFeatureFunctionTest {

    private static KeyedOneInputStreamOperatorTestHarness<String, CanonicalEvent, PendingVector>
            harness() throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new ItemFeatureFunction()),
                        CanonicalEvent::itemId,
                        Types.STRING);
        h.open();
        return h;
    }

    private static List<CanonicalEvent> sequence() {
        return List.of(
                view("v1", "u-1", "sku-1", T),
                view("v2", "u-2", "sku-1", T + MINUTE),
                purchase("p1", "u-1", "sku-1", T + 2 * MINUTE, 20),
                view("v3", "u-3", "sku-1", T + 3 * MINUTE),
                view(
                        "v4",
                        "u-4",
                        "sku-1",
                        T + 3 * MINUTE), // same time as v3: neither sees the other
                view("v5", "u-1", "sku-1", T + 2 * HOUR));
    }

    private static List<String> run(List<CanonicalEvent> events) throws Exception {
        try (var h = harness()) {
            for (CanonicalEvent e : events) {
                h.processElement(new StreamRecord<>(e, e.eventTime()));
            }
            h.processWatermark(T + 3 * HOUR);
            List<String> out = new ArrayList<>();
            for (PendingVector p : h.extractOutputValues()) {
                out.add(
                        p.view().eventId()
                                + " "
                                + p.itemViews1h()
                                + " "
                                + p.itemViews24h()
                                + " "
                                + p.itemPurchases1h()
                                + " "
                                + p.itemPurchases24h());
            }
            return out;
        }
    }

    @Test
    void viewsGetTheItemsCountsOfEverythingStrictlyBeforeThem() throws Exception {
        assertThat(run(sequence()))
                .containsExactly(
                        "v1 0.0 0.0 0.0 0.0",
                        "v2 1.0 1.0 0.0 0.0",
                        "v3 2.0 2.0 1.0 1.0",
                        "v4 2.0 2.0 1.0 1.0",
                        // two hours later the 1 h window (12 five-minute buckets) is empty, the 24
                        // h one is not
                        "v5 0.0 4.0 0.0 1.0");
    }

    @Test
    void arrivalOrderWithinTheBoundDoesNotChangeTheResult() throws Exception {
        List<String> inOrder = run(sequence());
        for (int seed = 0; seed < 5; seed++) {
            List<CanonicalEvent> shuffled = new ArrayList<>(sequence());
            Collections.shuffle(shuffled, new Random(seed));
            assertThat(run(shuffled)).as("shuffle %d", seed).isEqualTo(inOrder);
        }
    }

    @Test
    void stateAndTimersAreGoneOnceTheWindowsAreEmpty() throws Exception {
        try (var h = harness()) {
            for (CanonicalEvent e : sequence()) {
                h.processElement(new StreamRecord<>(e, e.eventTime()));
            }
            h.processWatermark(T + 3 * HOUR);
            assertThat(h.numKeyedStateEntries()).isPositive();
            h.processWatermark(T + 2 * HOUR + ItemFeatureFunction.RETENTION + HOUR);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }
}
