package io.eventml.learning;

import io.eventml.common.ml.DriftAlarm;
import io.eventml.common.ml.ServedQuality;
import io.eventml.common.state.WriteBehindProcessOperator;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

class ServedQualityFunctionTest {
    private static final long T = 1_763_978_400_000L;
    private static final long MINUTE = 60_000L;
    private static final Duration HORIZON = Duration.ofMinutes(30);
    private static final Duration LATENESS = Duration.ofMinutes(5);

    private static KeyedOneInputStreamOperatorTestHarness<String, ServedOutcome, ServedQuality>
            harness(OperatorSubtaskState restore) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new WriteBehindProcessOperator<>(
                                new ServedQualityFunction(HORIZON, LATENESS)),
                        (ServedOutcome o) -> "purchase-30m",
                        Types.STRING);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    /** 3,000 outcomes of versions 1..3 over six minutes, with probabilities that mean something. */
    private static List<StreamRecord<ServedOutcome>> outcomes() {
        SplittableRandom r = new SplittableRandom(9);
        List<StreamRecord<ServedOutcome>> out = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            double p = Math.pow(r.nextDouble(), 3);
            boolean label = r.nextDouble() < p;
            long time = T + i * 120L;
            long version = 1 + i / 1_000;
            out.add(new StreamRecord<>(new ServedOutcome("v" + i, version, p, label, time), time));
        }
        return out;
    }

    /** The newest record per version of what the harness emitted. */
    private static Map<Long, ServedQuality> newest(List<ServedQuality> records) {
        Map<Long, ServedQuality> last = new HashMap<>();
        records.forEach(q -> last.put(q.version(), q));
        return last;
    }

    @Test
    void writesEachVersionsCumulativeFiguresOncePerMinuteAcrossARestore() throws Exception {
        List<StreamRecord<ServedOutcome>> all = outcomes();
        List<ServedQuality> emitted = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var h = harness(null)) {
            // As in a run: the watermark follows the outcomes (one every 120 ms).
            for (StreamRecord<ServedOutcome> o : all.subList(0, 1_500)) {
                h.processWatermark(new Watermark(o.getTimestamp() - 1));
                h.processElement(o);
            }
            emitted.addAll(h.extractOutputValues());
            // At the end of minute 0, version 1 so far (outcomes 0..500); at the end of minute 1,
            // all of version 1 and the first outcome of version 2.
            assertThat(emitted)
                    .extracting(ServedQuality::version, ServedQuality::outcomes)
                    .containsExactly(tuple(1L, 501L), tuple(1L, 1_000L), tuple(2L, 1L));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(snapshot)) {
            for (StreamRecord<ServedOutcome> o : all.subList(1_500, all.size())) {
                h.processWatermark(new Watermark(o.getTimestamp() - 1));
                h.processElement(o);
            }
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            emitted.addAll(h.extractOutputValues());
        }
        Map<Long, QualityCounts> plain = new HashMap<>();
        for (StreamRecord<ServedOutcome> o : all) {
            plain.computeIfAbsent(o.getValue().modelVersion(), v -> new QualityCounts())
                    .add(o.getValue());
        }
        Map<Long, ServedQuality> last = newest(emitted);
        assertThat(last.keySet()).containsExactlyInAnyOrder(1L, 2L, 3L);
        for (long v = 1; v <= 3; v++) {
            ServedQuality want = plain.get(v).toRecord("purchase-30m", v, 0);
            ServedQuality got = last.get(v);
            assertThat(got.outcomes()).isEqualTo(1_000);
            assertThat(got.positives()).isEqualTo(want.positives());
            assertThat(got.logLossSum()).isCloseTo(want.logLossSum(), within(1e-9));
            assertThat(got.bins()).hasSameSizeAs(want.bins());
            assertThat(got.auc()).isEqualTo(want.auc()).isGreaterThan(0.75);
            assertThat(got.lastLabelTime()).isEqualTo(want.lastLabelTime());
            // Calibrated by construction: P(label) = p.
            for (ServedQuality.Calibration c : got.calibration(ServedQuality.CALIBRATION_EDGES)) {
                assertThat(c.count()).isPositive();
                assertThat(c.observedRate()).isCloseTo(c.meanPredicted(), within(0.1));
            }
        }
    }

    @Test
    void aVersionWhoseOutcomesStoppedIsDroppedAfterAHorizonButTheNewestIsKept() throws Exception {
        try (var h = harness(null)) {
            outcome(h, 1, 0);
            outcome(h, 2, 0);
            h.processWatermark(new Watermark(T + MINUTE));
            outcome(h, 2, 40);
            // 41 minutes: version 1 had nothing for longer than a horizon plus the lateness and
            // a minute (36), and is dropped; version 2 is kept.
            h.processWatermark(new Watermark(T + 41 * MINUTE));
            outcome(h, 1, 50);
            h.processWatermark(new Watermark(T + 51 * MINUTE));
            // Version 2, the newest, idle for an hour: kept all the same.
            outcome(h, 1, 100);
            h.processWatermark(new Watermark(T + 101 * MINUTE));
            outcome(h, 2, 110);
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(h.extractOutputValues())
                    .extracting(ServedQuality::version, ServedQuality::outcomes)
                    .containsExactly(
                            tuple(1L, 1L),
                            tuple(2L, 1L),
                            tuple(2L, 2L),
                            // Version 1 again (not expected in a run): counted from zero.
                            tuple(1L, 1L),
                            tuple(1L, 2L),
                            tuple(2L, 3L));
        }
    }

    private static void outcome(
            KeyedOneInputStreamOperatorTestHarness<String, ServedOutcome, ServedQuality> h,
            long version,
            long minute)
            throws Exception {
        long time = T + minute * MINUTE;
        h.processElement(
                new StreamRecord<>(
                        new ServedOutcome("v" + version + "-" + minute, version, 0.1, false, time),
                        time));
    }

    /**
     * A calibrated model's outcomes, then, from outcome 20,000, outcomes of a world that shifted
     * under it (the truth half the prediction, an eighth in 15% of the views): one drift alarm,
     * after the shift, naming the model, the newest version and the outcome that made it fire.
     */
    @Test
    void aRiseOfTheServedLossRaisesOneDriftAlarm() throws Exception {
        SplittableRandom r = new SplittableRandom(21);
        List<DriftAlarm> alarms = new ArrayList<>();
        int shiftAt = 20_000;
        try (var h = harness(null)) {
            for (int i = 0; i < 40_000; i++) {
                double p = 0.02 + 0.7 * Math.pow(r.nextDouble(), 2.5);
                boolean inStore = r.nextDouble() < 0.15;
                double truth = i < shiftAt ? p : inStore ? p / 8 : p / 2;
                long time = T + i * 100L;
                h.processElement(
                        new ServedOutcome("v" + i, 1 + i / 10_000, p, r.nextDouble() < truth, time),
                        time);
                var out = h.getSideOutput(ServedQualityFunction.DRIFT);
                if (out != null) {
                    StreamRecord<DriftAlarm> a;
                    while ((a = out.poll()) != null) {
                        alarms.add(a.getValue());
                        assertThat(i).as("fired at").isBetween(shiftAt, shiftAt + 15_000);
                    }
                }
            }
        }
        assertThat(alarms).hasSize(1);
        DriftAlarm a = alarms.get(0);
        assertThat(a.modelName()).isEqualTo("purchase-30m");
        assertThat(a.detector()).isEqualTo("page-hinkley-log-loss-over-base-rate");
        assertThat(a.servingVersion()).isEqualTo(3);
        assertThat(a.statistic()).isGreaterThan(a.threshold());
        assertThat(a.threshold()).isEqualTo(PageHinkley.DEFAULT_THRESHOLD);
        assertThat(a.recent()).isGreaterThan(a.baseline());
        assertThat(a.labelTime()).isGreaterThanOrEqualTo(T + shiftAt * 100L);
        assertThat(a.outcomes()).isGreaterThan(shiftAt);
    }
}
