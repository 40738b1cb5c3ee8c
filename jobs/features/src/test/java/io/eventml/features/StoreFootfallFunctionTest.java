package io.eventml.features;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.EventType;
import io.eventml.common.state.SlottedOperators;
import io.eventml.ops.FeatureRescan;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.eventml.features.Events.HOUR;
import static io.eventml.features.Events.MINUTE;
import static io.eventml.features.Events.T;
import static io.eventml.features.Events.footfall;
import static io.eventml.features.Events.inStoreView;
import static org.assertj.core.api.Assertions.assertThat;

class StoreFootfallFunctionTest {
    private static final OutputTag<LateView> LATE =
            new OutputTag<>("late", TypeInformation.of(LateView.class));

    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, PendingVector, CanonicalEvent, PendingVector>
            harness(OperatorSubtaskState snapshot, boolean onRocksDb) throws Exception {
        var h =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        SlottedOperators.coProcess(
                                new StoreFootfallFunction(Disorder.LATENESS, LATE)),
                        (PendingVector p) -> p.view().storeId(),
                        CanonicalEvent::storeId,
                        Types.STRING);
        if (onRocksDb) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        if (snapshot != null) {
            h.initializeState(snapshot);
        }
        h.open();
        return h;
    }

    /**
     * Readings and views of two stores out of order, some behind the watermark, a restore in the
     * middle, the views' watermark trailing the readings' by 30 s in stretches (as in the job,
     * where the views come through the item stage), so that views the readings' watermark has
     * passed are scored on arrival: every view gets the footfall of the readings that had arrived
     * before it was scored, no reading within the bound arrives after a later view of its store was
     * scored (none is scored too early), views beyond the allowed lateness come out as late views.
     */
    @Test
    void everyViewGetsTheFootfallOfWhatHadArrivedWhateverTheOrderAndAcrossARestore()
            throws Exception {
        Random r = new Random(7);
        List<CanonicalEvent> history = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            String store = "store-" + r.nextInt(2);
            long t = T + r.nextLong(2 * HOUR);
            history.add(
                    i % 3 == 0
                            ? inStoreView("v" + i, "u-" + i, "sku-1", store, t)
                            : footfall("f" + i, store, t, r.nextInt(20)));
        }
        List<CanonicalEvent> order = Disorder.arrivalOrder(history, r);
        List<CanonicalEvent> arrived = new ArrayList<>();
        Set<String> expectLate = new HashSet<>();
        Set<String> scored = new HashSet<>();
        List<String> late = new ArrayList<>();
        // The stage's watermark, the smaller of its inputs'.
        long watermark = Long.MIN_VALUE;
        long viewsWatermark = Long.MIN_VALUE;
        long readingsWatermark = Long.MIN_VALUE;
        // The readings' watermark before any restore too: a reading behind it is late anyway.
        long latestReadingsWatermark = Long.MIN_VALUE;
        // Per store, the newest view scored: no reading before it may arrive within the bound.
        Map<String, Long> newestScored = new HashMap<>();
        int onArrival = 0;
        long maxSeen = Long.MIN_VALUE;
        // Views older than the frontier before the restore may be refused after it.
        long restoredFrom = Long.MIN_VALUE;
        Set<String> mayBeLate = new HashSet<>();
        var h = harness(null, true);
        int seen = 0;
        for (int i = 0; i < order.size(); i++) {
            if (i == order.size() / 2) {
                OperatorSubtaskState snapshot = h.snapshot(1, 1);
                late.addAll(lateIds(h));
                h.close();
                h = harness(snapshot, true);
                // The watermark is not part of a checkpoint: it starts again from nothing.
                restoredFrom = watermark;
                watermark = Long.MIN_VALUE;
                viewsWatermark = Long.MIN_VALUE;
                readingsWatermark = Long.MIN_VALUE;
                seen = 0;
            }
            CanonicalEvent e = order.get(i);
            if (e.type() == EventType.PRODUCT_VIEW) {
                if (e.eventTime() < Disorder.frontier(watermark)) {
                    expectLate.add(e.eventId());
                } else if (e.eventTime() < Disorder.frontier(restoredFrom)) {
                    mayBeLate.add(e.eventId());
                }
                int before = h.extractOutputValues().size();
                h.processElement1(
                        new StreamRecord<>(new PendingVector(e, 0, 0, 0, 0, 0), e.eventTime()));
                if (e.eventTime() > watermark && h.extractOutputValues().size() > before) {
                    onArrival++;
                }
            } else {
                if (e.eventTime() > latestReadingsWatermark) {
                    assertThat(e.eventTime())
                            .as("%s within the bound, after a later view was scored", e)
                            .isGreaterThanOrEqualTo(
                                    newestScored.getOrDefault(e.storeId(), Long.MIN_VALUE));
                }
                h.processElement2(new StreamRecord<>(e, e.eventTime()));
                arrived.add(e);
            }
            seen = check(h, seen, arrived, scored, newestScored);
            maxSeen = Math.max(maxSeen, e.eventTime());
            if (i % 4 == 3
                    && Disorder.watermarkDue(i, order.size() / 2)
                    && maxSeen - Disorder.BOUND > watermark) {
                readingsWatermark = maxSeen - Disorder.BOUND;
                latestReadingsWatermark = Math.max(latestReadingsWatermark, readingsWatermark);
                viewsWatermark = Disorder.viewsWatermark(i, readingsWatermark, viewsWatermark);
                h.processWatermark2(new Watermark(readingsWatermark));
                h.processWatermark1(new Watermark(viewsWatermark));
                watermark = Math.min(viewsWatermark, readingsWatermark);
                seen = check(h, seen, arrived, scored, newestScored);
            }
        }
        h.processBothWatermarks(new Watermark(T + 5 * HOUR));
        check(h, seen, arrived, scored, newestScored);
        late.addAll(lateIds(h));
        h.close();
        long views = history.stream().filter(e -> e.type() == EventType.PRODUCT_VIEW).count();
        assertThat(expectLate).isNotEmpty();
        assertThat(onArrival).as("views the readings' watermark had passed").isPositive();
        assertThat(late).containsExactlyInAnyOrderElementsOf(expectLate);
        assertThat(scored)
                .hasSize((int) views - expectLate.size())
                .doesNotContainAnyElementsOf(late);
    }

    private static List<String> lateIds(
            KeyedTwoInputStreamOperatorTestHarness<
                            String, PendingVector, CanonicalEvent, PendingVector>
                    h) {
        List<String> ids = new ArrayList<>();
        var records = h.getSideOutput(LATE);
        if (records != null) {
            for (StreamRecord<LateView> l : records) {
                assertThat(l.getValue().stage()).isEqualTo("store");
                ids.add(l.getValue().view().eventId());
            }
        }
        return ids;
    }

    private static int check(
            KeyedTwoInputStreamOperatorTestHarness<
                            String, PendingVector, CanonicalEvent, PendingVector>
                    h,
            int seen,
            List<CanonicalEvent> arrived,
            Set<String> scored,
            Map<String, Long> newestScored) {
        List<PendingVector> out = h.extractOutputValues();
        FeatureRescan rescan = new FeatureRescan(arrived);
        for (PendingVector p : out.subList(seen, out.size())) {
            assertThat(p.storeFootfall15m())
                    .as(p.view().eventId())
                    .isEqualTo(rescan.footfall15m(p.view()));
            assertThat(scored.add(p.view().eventId())).as("one vector per view").isTrue();
            newestScored.merge(p.view().storeId(), p.view().eventTime(), Math::max);
        }
        return out.size();
    }

    @Test
    void viewsGetTheFootfallOfTheFifteenMinutesBeforeThemAndStateExpires() throws Exception {
        try (var h =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        SlottedOperators.coProcess(
                                new StoreFootfallFunction(Disorder.LATENESS, LATE)),
                        (PendingVector p) -> p.view().storeId(),
                        CanonicalEvent::storeId,
                        Types.STRING)) {
            h.open();
            CanonicalEvent early = inStoreView("v1", "u-1", "sku-1", "store-1", T + 20 * MINUTE);
            CanonicalEvent sameTime = inStoreView("v2", "u-2", "sku-1", "store-1", T + 30 * MINUTE);
            h.processElement1(
                    new StreamRecord<>(
                            new PendingVector(sameTime, 0, 0, 0, 0, 0), sameTime.eventTime()));
            h.processElement1(
                    new StreamRecord<>(new PendingVector(early, 0, 0, 0, 0, 0), early.eventTime()));
            h.processElement2(
                    new StreamRecord<>(footfall("f1", "store-1", T, 7), T)); // outside both windows
            h.processElement2(
                    new StreamRecord<>(
                            footfall("f2", "store-1", T + 10 * MINUTE, 5), T + 10 * MINUTE));
            h.processElement2(
                    new StreamRecord<>(
                            footfall("f3", "store-1", T + 19 * MINUTE, 3), T + 19 * MINUTE));
            h.processElement2(
                    new StreamRecord<>(
                            footfall("f4", "store-1", T + 30 * MINUTE, 100), T + 30 * MINUTE));
            h.processBothWatermarks(new Watermark(T + HOUR));

            assertThat(h.extractOutputValues())
                    .extracting(p -> p.view().eventId() + " " + p.storeFootfall15m())
                    // v1 at 20 min: minutes 6..20 hold f2 and f3; v2 at 30 min: minutes 16..30 hold
                    // f3, not f4 (same time)
                    .containsExactly("v1 8.0", "v2 3.0");

            h.processBothWatermarks(new Watermark(T + 3 * HOUR));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }
}
