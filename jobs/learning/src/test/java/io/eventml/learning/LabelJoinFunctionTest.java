package io.eventml.learning;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.EventSource;
import io.eventml.common.event.EventType;
import io.eventml.common.features.FeatureSpec;
import io.eventml.common.features.FeatureVector;
import io.eventml.common.ml.TrainingExample;
import io.eventml.common.state.SlottedOperators;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.ml.linalg.DenseVector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class LabelJoinFunctionTest {
    private static final long T = 1_763_978_400_000L;
    private static final long MINUTE = 60_000L;
    private static final Duration HORIZON = Duration.ofMinutes(30);
    private static final Duration LATENESS = Duration.ofMinutes(5);

    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, FeatureVector, CanonicalEvent, TrainingExample>
            harness() throws Exception {
        return harness(null, false, Feedback.HORIZON);
    }

    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, FeatureVector, CanonicalEvent, TrainingExample>
            harness(OperatorSubtaskState snapshot, boolean onRocksDb, Feedback feedback)
                    throws Exception {
        return harness(snapshot, onRocksDb, feedback, HORIZON);
    }

    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, FeatureVector, CanonicalEvent, TrainingExample>
            harness(
                    OperatorSubtaskState snapshot,
                    boolean onRocksDb,
                    Feedback feedback,
                    Duration horizon)
                    throws Exception {
        var h =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        SlottedOperators.coProcess(
                                new LabelJoinFunction(horizon, LATENESS, feedback)),
                        FeatureVector::userId,
                        CanonicalEvent::userId,
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

    private static FeatureVector view(String id, String item, long time) {
        return view(id, "u-1", item, time);
    }

    private static FeatureVector view(String id, String user, String item, long time) {
        return new FeatureVector(
                id, user, item, time, FeatureSpec.VERSION, new DenseVector(FeatureSpec.SIZE));
    }

    private static CanonicalEvent purchase(String id, String item, long time) {
        return purchase(id, "u-1", item, time);
    }

    private static CanonicalEvent purchase(String id, String user, String item, long time) {
        return new CanonicalEvent(
                1,
                id,
                EventType.PURCHASE,
                EventSource.ORDERS,
                user,
                item,
                null,
                time,
                time,
                10,
                1,
                Map.of());
    }

    private static void feed(
            KeyedTwoInputStreamOperatorTestHarness<
                            String, FeatureVector, CanonicalEvent, TrainingExample>
                    h,
            Object... inputs)
            throws Exception {
        for (Object in : inputs) {
            if (in instanceof FeatureVector v) {
                h.processElement1(new StreamRecord<>(v, v.eventTime()));
            } else {
                CanonicalEvent e = (CanonicalEvent) in;
                h.processElement2(new StreamRecord<>(e, e.eventTime()));
            }
        }
    }

    private static List<String> labels(
            KeyedTwoInputStreamOperatorTestHarness<
                            String, FeatureVector, CanonicalEvent, TrainingExample>
                    h) {
        return h.extractOutputValues().stream()
                .map(
                        x ->
                                x.features().eventId()
                                        + "="
                                        + (x.label() ? "1@" : "0@")
                                        + (x.labelTime() - T) / MINUTE)
                .collect(Collectors.toList());
    }

    @Test
    void aPurchaseWithinTheHorizonLabelsTheViewPositiveAndEveryExampleLeavesAtItsHorizon()
            throws Exception {
        try (var h = harness()) {
            feed(
                    h,
                    view("v1", "sku-1", T),
                    view("v2", "sku-2", T + MINUTE),
                    purchase("p1", "sku-1", T + 10 * MINUTE),
                    purchase("p2", "sku-2", T + 40 * MINUTE)); // after v2's horizon
            h.processBothWatermarks(new Watermark(T + 15 * MINUTE));
            // Bought, but held until its horizon: examples leave in view order, not label order.
            assertThat(labels(h)).isEmpty();
            h.processBothWatermarks(new Watermark(T + 30 * MINUTE));
            assertThat(labels(h)).containsExactly("v1=1@10");
            h.processBothWatermarks(new Watermark(T + 31 * MINUTE));
            assertThat(labels(h)).containsExactly("v1=1@10", "v2=0@31");
            // The purchases are dropped a horizon plus the allowed lateness after them; when they
            // were dropped is remembered for a day, then nothing is left.
            h.processBothWatermarks(new Watermark(T + 2 * 60 * MINUTE));
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            h.processBothWatermarks(new Watermark(T + 28 * 60 * MINUTE));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aPurchaseThatArrivesBeforeItsViewWithinTheBoundStillLabelsIt() throws Exception {
        try (var h = harness()) {
            feed(h, purchase("p1", "sku-1", T + 5 * MINUTE), view("v1", "sku-1", T));
            h.processBothWatermarks(new Watermark(T + 60 * MINUTE));
            assertThat(labels(h)).containsExactly("v1=1@5");
        }
    }

    @Test
    void aPurchaseAtTheHorizonCountsAndOneBeforeTheViewDoesNot() throws Exception {
        try (var h = harness()) {
            feed(
                    h,
                    purchase("p0", "sku-1", T - 1),
                    view("v1", "sku-1", T),
                    purchase("p1", "sku-1", T + 30 * MINUTE));
            h.processBothWatermarks(new Watermark(T + 60 * MINUTE));
            assertThat(labels(h)).containsExactly("v1=1@30");
        }
    }

    @Test
    void aPurchaseAtTheViewsOwnMillisecondLabelsItPositive() throws Exception {
        try (var h = harness()) {
            feed(h, view("v1", "sku-1", T), purchase("p1", "sku-1", T));
            h.processBothWatermarks(new Watermark(T + 60 * MINUTE));
            assertThat(labels(h)).containsExactly("v1=1@0");
        }
    }

    /**
     * One input paused (no watermark from the views) while the purchases' watermark runs hours
     * ahead: nothing is labelled or dropped until the views come back, then every view is labelled
     * from the purchases kept meanwhile.
     */
    @Test
    void whileTheViewsArePausedNothingIsLabelledAndNoPurchaseIsDropped() throws Exception {
        try (var h = harness()) {
            feed(h, view("v1", "sku-1", T));
            h.processWatermark1(new Watermark(T));
            feed(
                    h,
                    purchase("p1", "sku-1", T + 20 * MINUTE),
                    purchase("p2", "sku-2", T + 70 * MINUTE));
            h.processWatermark2(new Watermark(T + 5 * 60 * MINUTE));
            assertThat(labels(h)).isEmpty();
            // The views come back, late by hours of purchases: still labelled, and exactly.
            feed(h, view("v2", "sku-2", T + 60 * MINUTE));
            h.processWatermark1(new Watermark(T + 5 * 60 * MINUTE));
            assertThat(labels(h)).containsExactly("v1=1@20", "v2=1@70");
        }
    }

    /**
     * With a horizon longer than a day, when purchases were dropped is still remembered as long as
     * a view can wait: after a restore (the watermark starts again from nothing) a view older than
     * the dropped purchase that would have made it positive is refused, not labelled negative.
     */
    @Test
    void withAHorizonOfMoreThanADayAViewBeforeTheDroppedPurchasesIsStillRefused() throws Exception {
        Duration horizon = Duration.ofHours(30);
        OperatorSubtaskState snapshot;
        try (var h = harness(null, false, Feedback.IMMEDIATE, horizon)) {
            feed(h, view("v1", "sku-1", T), purchase("p1", "sku-1", T + MINUTE));
            h.processBothWatermarks(new Watermark(T + 31 * 60 * MINUTE));
            assertThat(labels(h)).containsExactly("v1=1@1");
            // The purchase is dropped at the hour after its horizon and lateness; hours later the
            // time it was dropped before is still remembered.
            h.processBothWatermarks(new Watermark(T + 34 * 60 * MINUTE));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(snapshot, false, Feedback.IMMEDIATE, horizon)) {
            feed(h, view("v0", "sku-1", T - MINUTE));
            h.processBothWatermarks(new Watermark(T + 35 * 60 * MINUTE));
            assertThat(labels(h)).as("no label for a view whose purchase was dropped").isEmpty();
            assertThat(lateIds(h)).containsExactly("v0");
        }
    }

    /**
     * Restored with a longer horizon, the job finds forget timers of the shorter one, set for when
     * the shorter rule would forget the pruned-before time. Under the longer rule that time is
     * still needed: the timer keeps it and sets the later one, and the state still goes in the end.
     */
    @Test
    void restoredWithALongerHorizonThePrunedTimeIsKeptLongerAndThenForgotten() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(null, false, Feedback.HORIZON, Duration.ofMinutes(30))) {
            feed(h, view("v1", "sku-1", T), purchase("p1", "sku-1", T + MINUTE));
            h.processBothWatermarks(new Watermark(T + 3 * 60 * MINUTE));
            assertThat(labels(h)).containsExactly("v1=1@1");
            // Only when purchases were dropped is left (dropped at T + 1 h, before T + 25 min).
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(snapshot, false, Feedback.HORIZON, Duration.ofHours(6))) {
            // The shorter rule's timer fires at T + 26 h; the longer keeps it to T + 30.5 h.
            h.processBothWatermarks(new Watermark(T + 27 * 60 * MINUTE));
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            h.processBothWatermarks(new Watermark(T + 40 * 60 * MINUTE));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    /**
     * Views and purchases of three users in random order (purchases within the bound, views also
     * far behind the watermark), periodic watermarks, and a snapshot and restore on RocksDB in the
     * middle after which the watermark takes a while to come back: every example's label is the
     * re-scan's, views beyond the allowed lateness go to the side output, and after the restore a
     * view older than the dropped purchases is refused rather than labelled negative. With
     * immediate feedback also the early examples: one fake negative for every view labelled, one
     * early positive for every view labelled positive (its label time a purchase that makes it so),
     * none before the watermark reached its label time.
     */
    @ParameterizedTest
    @EnumSource(Feedback.class)
    void everyLabelIsTheRescansWhateverTheOrderAndAcrossARestore(Feedback feedback)
            throws Exception {
        Random r = new Random(5);
        long bound = 10_000;
        long lateness = LATENESS.toMillis();
        record Arrival(Object input, long time, long at) {}
        List<Arrival> arrivals = new ArrayList<>();
        List<CanonicalEvent> purchases = new ArrayList<>();
        for (int i = 0; i < 1_500; i++) {
            String user = "u-" + r.nextInt(3);
            String item = "sku-" + r.nextInt(5);
            long t = T + r.nextLong(6 * 60 * MINUTE);
            if (r.nextInt(3) == 0) {
                CanonicalEvent p = purchase("p" + i, user, item, t);
                purchases.add(p);
                arrivals.add(new Arrival(p, t, t + r.nextLong(bound)));
            } else {
                double kind = r.nextDouble();
                long delay =
                        kind < 0.8
                                ? r.nextLong(bound)
                                : kind < 0.95
                                        ? r.nextLong(HORIZON.toMillis() + lateness - 10_000)
                                        : HORIZON.toMillis()
                                                + lateness
                                                + 20_000
                                                + r.nextLong(20 * MINUTE);
                arrivals.add(new Arrival(view("v" + i, user, item, t), t, t + delay));
            }
        }
        arrivals.sort(Comparator.comparingLong(Arrival::at));
        Map<String, FeatureVector> views = new HashMap<>();
        Set<String> expectLate = new HashSet<>();
        Set<String> mayBeLate = new HashSet<>();
        List<String> late = new ArrayList<>();
        List<TrainingExample> examples = new ArrayList<>();
        long watermark = Long.MIN_VALUE;
        long restoredFrom = Long.MIN_VALUE;
        long maxSeen = Long.MIN_VALUE;
        int n = arrivals.size();
        List<TrainingExample> early = new ArrayList<>();
        var h = harness(null, true, feedback);
        for (int i = 0; i < n; i++) {
            if (i == n / 2) {
                OperatorSubtaskState snapshot = h.snapshot(1, 1);
                examples.addAll(h.extractOutputValues());
                late.addAll(lateIds(h));
                h.close();
                h = harness(snapshot, true, feedback);
                restoredFrom = watermark;
                watermark = Long.MIN_VALUE;
            }
            Arrival a = arrivals.get(i);
            if (a.input() instanceof FeatureVector v) {
                views.put(v.eventId(), v);
                long horizonEnd = v.eventTime() + HORIZON.toMillis();
                if (watermark != Long.MIN_VALUE && horizonEnd < watermark - lateness) {
                    expectLate.add(v.eventId());
                } else if (restoredFrom != Long.MIN_VALUE
                        && v.eventTime() < restoredFrom - lateness - HORIZON.toMillis()) {
                    mayBeLate.add(v.eventId());
                }
                h.processElement1(new StreamRecord<>(v, v.eventTime()));
            } else {
                CanonicalEvent p = (CanonicalEvent) a.input();
                h.processElement2(new StreamRecord<>(p, p.eventTime()));
            }
            maxSeen = Math.max(maxSeen, a.time());
            boolean due = i < n / 2 || i >= n / 2 + 150;
            if (i % 4 == 3 && due && maxSeen - bound > watermark) {
                watermark = maxSeen - bound;
                h.processBothWatermarks(new Watermark(watermark));
            }
            takeEarly(h, watermark, early);
        }
        h.processBothWatermarks(new Watermark(Long.MAX_VALUE));
        takeEarly(h, Long.MAX_VALUE, early);
        examples.addAll(h.extractOutputValues());
        late.addAll(lateIds(h));
        h.close();

        assertThat(expectLate).isNotEmpty();
        assertThat(late).doesNotHaveDuplicates().containsAll(expectLate);
        late.removeAll(expectLate);
        assertThat(mayBeLate).containsAll(late);
        assertThat(late).as("refused after the restore").isNotEmpty();
        Set<String> labelled = new HashSet<>();
        Set<String> positiveViews = new HashSet<>();
        long positives = 0;
        for (TrainingExample e : examples) {
            FeatureVector v = e.features();
            assertThat(labelled.add(v.eventId())).as("one example per view").isTrue();
            long first =
                    purchases.stream()
                            .filter(
                                    p ->
                                            p.userId().equals(v.userId())
                                                    && p.itemId().equals(v.itemId())
                                                    && p.eventTime() >= v.eventTime()
                                                    && p.eventTime()
                                                            <= v.eventTime() + HORIZON.toMillis())
                            .mapToLong(CanonicalEvent::eventTime)
                            .min()
                            .orElse(-1);
            assertThat(e.label()).as(v.eventId()).isEqualTo(first >= 0);
            assertThat(e.labelTime())
                    .as(v.eventId())
                    .isEqualTo(first >= 0 ? first : v.eventTime() + HORIZON.toMillis());
            positives += first >= 0 ? 1 : 0;
            if (first >= 0) {
                positiveViews.add(v.eventId());
            }
        }
        assertThat(positives).isGreaterThan(50);
        Set<String> all = new HashSet<>(views.keySet());
        all.removeAll(expectLate);
        all.removeAll(late);
        assertThat(labelled).isEqualTo(all);

        if (feedback == Feedback.HORIZON) {
            assertThat(early).isEmpty();
            return;
        }
        List<String> fakeNegatives = new ArrayList<>();
        List<String> earlyPositives = new ArrayList<>();
        for (TrainingExample e : early) {
            FeatureVector v = e.features();
            assertThat(v).isEqualTo(views.get(v.eventId()));
            if (!e.label()) {
                fakeNegatives.add(v.eventId());
                assertThat(e.labelTime()).isEqualTo(v.eventTime());
                continue;
            }
            earlyPositives.add(v.eventId());
            assertThat(
                            purchases.stream()
                                    .anyMatch(
                                            p ->
                                                    p.userId().equals(v.userId())
                                                            && p.itemId().equals(v.itemId())
                                                            && p.eventTime() == e.labelTime()
                                                            && p.eventTime() >= v.eventTime()
                                                            && p.eventTime()
                                                                    <= v.eventTime()
                                                                            + HORIZON.toMillis()))
                    .as("%s learned positive at a purchase that makes it so", v.eventId())
                    .isTrue();
        }
        assertThat(fakeNegatives).doesNotHaveDuplicates();
        assertThat(new HashSet<>(fakeNegatives)).isEqualTo(labelled);
        assertThat(earlyPositives).doesNotHaveDuplicates();
        assertThat(new HashSet<>(earlyPositives)).isEqualTo(positiveViews);
    }

    /**
     * Moves the early examples emitted since the last call to {@code into}, checking that none came
     * before the watermark reached its label time (the view's, or the purchase's).
     */
    private static void takeEarly(
            KeyedTwoInputStreamOperatorTestHarness<
                            String, FeatureVector, CanonicalEvent, TrainingExample>
                    h,
            long watermark,
            List<TrainingExample> into) {
        var records = h.getSideOutput(LabelJoinFunction.EARLY);
        if (records == null) {
            return;
        }
        StreamRecord<TrainingExample> r;
        while ((r = records.poll()) != null) {
            TrainingExample e = r.getValue();
            assertThat(e.labelTime())
                    .as("%s: early before the watermark reached it", e.features().eventId())
                    .isLessThanOrEqualTo(watermark);
            into.add(e);
        }
    }

    private static List<String> lateIds(
            KeyedTwoInputStreamOperatorTestHarness<
                            String, FeatureVector, CanonicalEvent, TrainingExample>
                    h) {
        List<String> ids = new ArrayList<>();
        var records = h.getSideOutput(LabelJoinFunction.TOO_LATE);
        if (records != null) {
            for (StreamRecord<FeatureVector> v : records) {
                ids.add(v.getValue().eventId());
            }
        }
        return ids;
    }
}
