package io.eventml.features;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.EventType;
import io.eventml.common.features.FeatureSpec;
import io.eventml.common.state.SlottedOperators;
import io.eventml.ops.FeatureRescan;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBKeyedStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static io.eventml.features.Events.HOUR;
import static io.eventml.features.Events.MINUTE;
import static io.eventml.features.Events.T;
import static io.eventml.features.Events.purchase;
import static io.eventml.features.Events.view;
import static org.assertj.core.api.Assertions.assertThat;

class ItemFeatureFunctionTest {

    private static final OutputTag<LateView> LATE =
            new OutputTag<>("late", TypeInformation.of(LateView.class));

    private static KeyedOneInputStreamOperatorTestHarness<String, CanonicalEvent, PendingVector>
            harness() throws Exception {
        return harness(null, false, FeatureConfig.DEFAULT_STATE_CACHE_KEYS);
    }

    /**
     * A harness on RocksDB, restored from {@code snapshot} when there is one, keeping the state of
     * {@code cacheKeys} items on the heap too.
     */
    private static KeyedOneInputStreamOperatorTestHarness<String, CanonicalEvent, PendingVector>
            harness(OperatorSubtaskState snapshot, boolean onRocksDb, int cacheKeys)
                    throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        SlottedOperators.process(
                                new ItemFeatureFunction(Disorder.LATENESS, LATE, cacheKeys)),
                        CanonicalEvent::itemId,
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
     * Views and purchases of three items out of order, some behind the watermark, a restore in the
     * middle: every view gets the counts of the events that had arrived before it was scored (a
     * late purchase is seen by every view scored after it), views beyond the allowed lateness come
     * out as late views.
     */
    @Test
    void everyViewGetsTheCountsOfWhatHadArrivedWhateverTheOrderAndAcrossARestore()
            throws Exception {
        Random r = new Random(11);
        List<CanonicalEvent> history = new ArrayList<>();
        for (int i = 0; i < 900; i++) {
            String item = "sku-" + r.nextInt(3);
            long t = T + (i % 7 == 0 ? 5 * MINUTE * r.nextInt(40) : r.nextLong(3 * HOUR));
            history.add(
                    r.nextInt(4) == 0
                            ? purchase("p" + i, "u-" + i, item, t, 5 + r.nextInt(40))
                            : view("v" + i, "u-" + i, item, t));
        }
        List<CanonicalEvent> order = Disorder.arrivalOrder(history, r);
        long views = history.stream().filter(e -> e.type() == EventType.PRODUCT_VIEW).count();
        // Every item's state on the heap too, and one item's only: the other two read from RocksDB.
        for (int cacheKeys : new int[] {FeatureConfig.DEFAULT_STATE_CACHE_KEYS, 1}) {
            Set<String> scored = replay(new Disorder.Replay(order, order.size() / 2), cacheKeys);
            assertThat(scored)
                    .as("cache of %d", cacheKeys)
                    .hasSizeGreaterThan((int) views * 9 / 10);
        }
    }

    /**
     * The hard path of the lifetimes: two bursts of three hours per item, 25 h less a minute (one
     * lifetime), exactly 25 h and 26 h (two; the second after the state's retention cleared it)
     * apart, a restore between them, and a dozen events of the first burst arriving in the second,
     * more than a day late. Every view of both bursts gets the lifetime of the re-scan of what had
     * arrived; the state is gone a retention after the end.
     */
    @Test
    void lifetimesHoldAcrossAGapARestoreAndEventsMoreThanADayLate() throws Exception {
        long[] gaps = {
            FeatureSpec.ITEM_LIFETIME_GAP_MILLIS - MINUTE,
            FeatureSpec.ITEM_LIFETIME_GAP_MILLIS,
            FeatureSpec.ITEM_LIFETIME_GAP_MILLIS + HOUR
        };
        Random r = new Random(5);
        List<CanonicalEvent> before = new ArrayList<>();
        List<CanonicalEvent> after = new ArrayList<>();
        for (int item = 0; item < gaps.length; item++) {
            String sku = "sku-" + item;
            // The last event before the gap and the first after it, exactly the gap apart; half
            // past
            // an hour, so that the state of a 25 h gap is not yet cleared (on the whole hour after
            // its retention) when the first event after the gap comes: the rule restarts it.
            long end = T + 3 * HOUR + 30 * MINUTE;
            long start = end + gaps[item];
            before.add(lines("p-end-" + item, sku, end, 1, 10 + item));
            after.add(lines("p-start-" + item, sku, start, 2, 40 + item));
            for (int i = 0; i < 300; i++) {
                boolean first = i % 2 == 0;
                long t = (first ? T : start) + r.nextLong(3 * HOUR);
                String id = item + "-" + i;
                (first ? before : after)
                        .add(
                                r.nextInt(4) == 0
                                        ? lines(
                                                "p" + id,
                                                sku,
                                                t,
                                                1 + r.nextInt(3),
                                                5 + r.nextInt(40))
                                        : view("v" + id, "u-" + id, sku, t));
            }
        }
        Set<String> scored =
                replay(
                        Disorder.acrossAGap(before, after, 12, r),
                        FeatureConfig.DEFAULT_STATE_CACHE_KEYS);
        for (int item = 0; item < gaps.length; item++) {
            String suffix = item + "-";
            assertThat(after)
                    .as("views after the gap scored, item %d", item)
                    .filteredOn(e -> e.eventId().startsWith("v" + suffix))
                    .filteredOn(e -> scored.contains(e.eventId()))
                    .hasSizeGreaterThan(100);
        }
    }

    /**
     * Feeds {@code replay}'s arrivals to a harness on RocksDB with periodic watermarks, restoring
     * from a snapshot where it says; checks every vector against the re-scan of what had arrived,
     * that exactly the views beyond the allowed lateness come out late (and after the restore
     * perhaps some older than the restored state), and that state and timers are gone a retention
     * after the end; the function keeps the state of {@code cacheKeys} items on the heap too.
     * Returns the views scored.
     */
    private static Set<String> replay(Disorder.Replay replay, int cacheKeys) throws Exception {
        List<CanonicalEvent> order = replay.order();
        List<CanonicalEvent> arrived = new ArrayList<>();
        Set<String> expectLate = new HashSet<>();
        Set<String> scored = new HashSet<>();
        List<String> late = new ArrayList<>();
        long watermark = Long.MIN_VALUE;
        long maxSeen = Long.MIN_VALUE;
        // Views older than the frontier before the restore may be refused after it.
        long restoredFrom = Long.MIN_VALUE;
        Set<String> mayBeLate = new HashSet<>();
        var h = harness(null, true, cacheKeys);
        int seen = 0;
        for (int i = 0; i < order.size(); i++) {
            if (i == replay.restoreAt()) {
                OperatorSubtaskState snapshot = h.snapshot(1, 1);
                late.addAll(lateIds(h));
                h.close();
                h = harness(snapshot, true, cacheKeys);
                // The watermark is not part of a checkpoint: it starts again from nothing.
                restoredFrom = watermark;
                watermark = Long.MIN_VALUE;
                seen = 0;
            }
            CanonicalEvent e = order.get(i);
            if (e.type() == EventType.PRODUCT_VIEW) {
                if (e.eventTime() < Disorder.frontier(watermark)) {
                    expectLate.add(e.eventId());
                } else if (e.eventTime() < Disorder.frontier(restoredFrom)) {
                    mayBeLate.add(e.eventId());
                }
            }
            h.processElement(new StreamRecord<>(e, e.eventTime()));
            arrived.add(e);
            seen = check(h, seen, arrived, scored);
            maxSeen = Math.max(maxSeen, e.eventTime());
            if (i % 4 == 3
                    && Disorder.watermarkDue(i, replay.restoreAt())
                    && maxSeen - Disorder.BOUND > watermark) {
                watermark = maxSeen - Disorder.BOUND;
                h.processWatermark(watermark);
                seen = check(h, seen, arrived, scored);
            }
        }
        h.processWatermark(maxSeen + HOUR);
        check(h, seen, arrived, scored);
        late.addAll(lateIds(h));
        h.processWatermark(maxSeen + ItemFeatureFunction.RETENTION + 2 * HOUR);
        // On RocksDB, once a snapshot has flushed the timers' pending deletes: the entries of every
        // state and of the timers.
        h.snapshot(2, 2);
        assertThat(
                        ((RocksDBKeyedStateBackend<?>) h.getOperator().getKeyedStateBackend())
                                .numKeyValueStateEntries())
                .as("state and timers after the retention")
                .isZero();
        h.close();

        assertThat(expectLate).isNotEmpty();
        assertThat(late).doesNotHaveDuplicates().containsAll(expectLate);
        List<String> refusedAfterRestore = new ArrayList<>(late);
        refusedAfterRestore.removeAll(expectLate);
        assertThat(mayBeLate).containsAll(refusedAfterRestore);
        Set<String> views = new HashSet<>();
        order.stream()
                .filter(e -> e.type() == EventType.PRODUCT_VIEW)
                .forEach(e -> views.add(e.eventId()));
        views.removeAll(late);
        assertThat(scored).isEqualTo(views);
        return scored;
    }

    private static List<String> lateIds(
            KeyedOneInputStreamOperatorTestHarness<String, CanonicalEvent, PendingVector> h) {
        List<String> ids = new ArrayList<>();
        var records = h.getSideOutput(LATE);
        if (records != null) {
            for (StreamRecord<LateView> l : records) {
                assertThat(l.getValue().stage()).isEqualTo("item");
                ids.add(l.getValue().view().eventId());
            }
        }
        return ids;
    }

    private static int check(
            KeyedOneInputStreamOperatorTestHarness<String, CanonicalEvent, PendingVector> h,
            int seen,
            List<CanonicalEvent> arrived,
            Set<String> scored) {
        List<PendingVector> out = h.extractOutputValues();
        FeatureRescan rescan = new FeatureRescan(arrived);
        for (PendingVector p : out.subList(seen, out.size())) {
            CanonicalEvent v = p.view();
            String at = v.eventId();
            assertThat(p.itemViews1h())
                    .as(at)
                    .isEqualTo(rescan.itemCount(v, EventType.PRODUCT_VIEW, false));
            assertThat(p.itemViews24h())
                    .as(at)
                    .isEqualTo(rescan.itemCount(v, EventType.PRODUCT_VIEW, true));
            assertThat(p.itemPurchases1h())
                    .as(at)
                    .isEqualTo(rescan.itemCount(v, EventType.PURCHASE, false));
            assertThat(p.itemPurchases24h())
                    .as(at)
                    .isEqualTo(rescan.itemCount(v, EventType.PURCHASE, true));
            double[] lifetime = rescan.itemLifetime(v);
            assertThat(p.itemLifetimeViews()).as(at).isEqualTo(lifetime[0]);
            assertThat(p.itemLifetimePurchases()).as(at).isEqualTo(lifetime[1]);
            assertThat(Double.valueOf(p.itemPrice())).as(at).isEqualTo(Double.valueOf(lifetime[2]));
            assertThat(scored.add(at)).as("one vector per view").isTrue();
        }
        return out.size();
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

    /** Purchases of {@code quantity} at {@code unitPrice} each. */
    private static CanonicalEvent lines(String id, long time, long quantity, double unitPrice) {
        return lines(id, "sku-1", time, quantity, unitPrice);
    }

    /** Purchases of {@code quantity} of {@code item} at {@code unitPrice} each. */
    private static CanonicalEvent lines(
            String id, String item, long time, long quantity, double unitPrice) {
        CanonicalEvent p = purchase(id, "u-" + id, item, time, quantity * unitPrice);
        return new CanonicalEvent(
                p.schemaVersion(),
                p.eventId(),
                p.type(),
                p.source(),
                p.userId(),
                p.itemId(),
                p.storeId(),
                p.eventTime(),
                p.ingestTime(),
                p.value(),
                quantity,
                p.attributes());
    }

    /**
     * Spec 2's item lifetime: the newest unit price (of two at one millisecond, the higher), views
     * and purchase lines since the item's last gap of 25 hours, nothing for a view a whole gap
     * after the item's last event, and a new lifetime from the next event on.
     */
    @Test
    void theItemsPriceAndLifetimeRestartAfterAGapOf25Hours() throws Exception {
        long gap = FeatureSpec.ITEM_LIFETIME_GAP_MILLIS;
        List<CanonicalEvent> events =
                List.of(
                        lines("p1", T, 1, 20),
                        view("v1", "u-1", "sku-1", T + MINUTE),
                        lines("p2", T + 2 * MINUTE, 3, 30),
                        lines("p3", T + 3 * MINUTE, 1, 35),
                        lines("p4", T + 3 * MINUTE, 2, 25),
                        view("v2", "u-2", "sku-1", T + 4 * MINUTE),
                        view("v3", "u-3", "sku-1", T + 4 * MINUTE + gap),
                        lines("p5", T + 30 * HOUR, 1, 50),
                        view("v4", "u-4", "sku-1", T + 30 * HOUR + MINUTE));
        for (int seed = -1; seed < 3; seed++) {
            List<CanonicalEvent> order = new ArrayList<>(events);
            if (seed >= 0) {
                // Within the bound only: a gap is seen in event time, whatever the order.
                Collections.shuffle(order.subList(0, 6), new Random(seed));
            }
            List<String> out = new ArrayList<>();
            try (var h = harness()) {
                for (CanonicalEvent e : order) {
                    h.processElement(new StreamRecord<>(e, e.eventTime()));
                }
                h.processWatermark(T + 32 * HOUR);
                for (PendingVector p : h.extractOutputValues()) {
                    out.add(
                            p.view().eventId()
                                    + " "
                                    + p.itemLifetimeViews()
                                    + " "
                                    + p.itemLifetimePurchases()
                                    + " "
                                    + p.itemPrice());
                }
            }
            assertThat(out)
                    .as("seed %d", seed)
                    .containsExactly(
                            "v1 0.0 1.0 20.0",
                            "v2 1.0 4.0 35.0",
                            "v3 0.0 0.0 NaN",
                            "v4 1.0 1.0 50.0");
        }
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
