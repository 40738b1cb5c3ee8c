package io.eventml.learning;

import io.eventml.common.ml.DriftAlarm;
import io.eventml.common.ml.ServedQuality;
import io.eventml.common.state.WriteBehindCache;
import io.eventml.common.state.WriteBehindProcessOperator;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * Keyed by model name (one subtask, like the trainer): the served outcomes of each model version,
 * summed, and written as cumulative {@link ServedQuality} records, once per minute of event time
 * for every version that had new outcomes in it; and the quality of the last 10,000 outcomes of all
 * versions as gauges, next to the trainer's progressive figures.
 *
 * <p>A version is kept until its outcomes stop: a horizon plus the allowed lateness and a minute
 * after its last one, unless it is the newest version (which may just be serving few views). Its
 * last record holds all of it. The state is one object per model, cached on the heap and written
 * back before each snapshot ({@link WriteBehindProcessOperator}).
 *
 * <p>A {@link PageHinkley} test watches the served log loss against the base rate's (each outcome's
 * log loss minus that of the last outcomes' positive rate on the same label), outcome by outcome in
 * the order labels come: when it rises beyond what the test tolerates, a {@link DriftAlarm} goes to
 * the {@link #DRIFT} side output and the test starts again.
 */
public final class ServedQualityFunction
        extends KeyedProcessFunction<String, ServedOutcome, ServedQuality>
        implements WriteBehindProcessOperator.WriteBehind<String> {
    private static final long serialVersionUID = 1L;

    static final long MINUTE = 60_000L;

    /** The gauges' window: the last {@code CHUNKS} chunks of {@code CHUNK} outcomes. */
    static final int CHUNK = 1_000;

    static final int CHUNKS = 10;

    /** Drift alarms. */
    public static final OutputTag<DriftAlarm> DRIFT =
            new OutputTag<>("drift", TypeInformation.of(DriftAlarm.class));

    static final String DETECTOR = "page-hinkley-log-loss-over-base-rate";

    /** One version's sums. A Flink POJO. */
    public static class VersionCounts {
        public long version;
        public QualityCounts counts = new QualityCounts();
        public boolean changed;

        /** The timestamp (event time) of its latest outcome. */
        public long lastOutcomeTime = Long.MIN_VALUE;
    }

    /** Everything kept per model. A Flink POJO. */
    public static class ServedState {
        public VersionCounts[] versions = new VersionCounts[0];
        public QualityCounts[] recent = new QualityCounts[0];
        public long recentSeen;
        public PageHinkley drift = new PageHinkley();

        /** The drift test's input. */
        public ExcessLogLoss excess = new ExcessLogLoss();
    }

    private final long retireAfterMillis;
    private final PageHinkley.Settings drift;

    private transient WriteBehindCache<String, ServedState> state;
    private transient volatile ServedQuality window;
    private transient volatile double driftStatistic;
    private transient Counter alarms;

    public ServedQualityFunction(Duration horizon, Duration allowedLateness) {
        this(horizon, allowedLateness, PageHinkley.Settings.defaults());
    }

    public ServedQualityFunction(
            Duration horizon, Duration allowedLateness, PageHinkley.Settings drift) {
        this.retireAfterMillis = horizon.toMillis() + allowedLateness.toMillis() + MINUTE;
        this.drift = drift;
    }

    /** The function on outcomes keyed by model name, with its state written behind. */
    public static SingleOutputStreamOperator<ServedQuality> apply(
            KeyedStream<ServedOutcome, String> outcomes, ServedQualityFunction function) {
        return outcomes.transform(
                "Served quality",
                TypeInformation.of(ServedQuality.class),
                new WriteBehindProcessOperator<>(function));
    }

    @Override
    public void open(OpenContext openContext) {
        state =
                new WriteBehindCache<>(
                        getRuntimeContext()
                                .getState(
                                        new ValueStateDescriptor<>(
                                                "served", TypeInformation.of(ServedState.class))));
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("eventml");
        metrics.gauge("servedLogLoss", (Gauge<Double>) () -> figure(ServedQuality::logLoss));
        metrics.gauge("servedAuc", (Gauge<Double>) () -> figure(ServedQuality::auc));
        metrics.gauge(
                "servedPositiveRate", (Gauge<Double>) () -> figure(ServedQuality::positiveRate));
        metrics.gauge(
                "servedMeanPredicted", (Gauge<Double>) () -> figure(ServedQuality::meanPredicted));
        metrics.gauge(
                "servedBaseRateLogLoss",
                (Gauge<Double>) () -> figure(ServedQuality::baseRateLogLoss));
        metrics.gauge("driftStatistic", (Gauge<Double>) () -> driftStatistic);
        alarms = metrics.counter("driftAlarms");
        double[] edges = ServedQuality.CALIBRATION_EDGES;
        MetricGroup calibration = metrics.addGroup("servedCalibration");
        for (int r = 0; r < edges.length - 1; r++) {
            int range = r;
            MetricGroup g =
                    calibration.addGroup(
                            String.format(Locale.ROOT, "p%.2f-%.2f", edges[r], edges[r + 1]));
            g.gauge("predicted", (Gauge<Double>) () -> calibration(range).meanPredicted());
            g.gauge("observed", (Gauge<Double>) () -> calibration(range).observedRate());
            g.gauge("count", (Gauge<Long>) () -> calibration(range).count());
        }
    }

    @Override
    public void processElement(ServedOutcome outcome, Context ctx, Collector<ServedQuality> out)
            throws Exception {
        String model = ctx.getCurrentKey();
        ServedState s = current(model);
        Long timestamp = ctx.timestamp();
        long time =
                Math.max(
                        timestamp == null ? Long.MIN_VALUE : timestamp,
                        ctx.timerService().currentWatermark());
        VersionCounts v = version(s, outcome.modelVersion());
        v.counts.add(outcome);
        v.changed = true;
        v.lastOutcomeTime = Math.max(v.lastOutcomeTime, time);
        addRecent(s, outcome);
        watchDrift(s, model, outcome, ctx);
        if (s.recentSeen % 100 == 0) {
            window = recentQuality(s, model);
        }
        ctx.timerService()
                .registerEventTimeTimer(
                        time >= Long.MAX_VALUE - MINUTE
                                ? Long.MAX_VALUE
                                : (Math.floorDiv(time, MINUTE) + 1) * MINUTE);
        keep(model, s);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<ServedQuality> out)
            throws Exception {
        String model = ctx.getCurrentKey();
        ServedState s = current(model);
        if (s == null) {
            return;
        }
        long now = System.currentTimeMillis();
        long newest = Long.MIN_VALUE;
        for (VersionCounts v : s.versions) {
            newest = Math.max(newest, v.version);
        }
        int kept = 0;
        for (VersionCounts v : s.versions) {
            if (v.changed) {
                out.collect(v.counts.toRecord(model, v.version, now));
                v.changed = false;
            }
            boolean retired =
                    v.version != newest
                            && time != Long.MAX_VALUE
                            && time > v.lastOutcomeTime + retireAfterMillis;
            if (!retired) {
                s.versions[kept++] = v;
            }
        }
        s.versions = Arrays.copyOf(s.versions, kept);
        window = recentQuality(s, model);
        keep(model, s);
    }

    private void watchDrift(ServedState s, String model, ServedOutcome outcome, Context ctx) {
        if (s.drift == null) {
            // State of a version without the detector.
            s.drift = new PageHinkley();
        }
        if (s.excess == null) {
            s.excess = new ExcessLogLoss();
        }
        PageHinkley test = s.drift;
        double excess = s.excess.next(outcome.probability(), outcome.label(), drift.window());
        if (test.add(excess, drift)) {
            long newest = 0;
            for (VersionCounts v : s.versions) {
                newest = Math.max(newest, v.version);
            }
            ctx.output(
                    DRIFT,
                    new DriftAlarm(
                            model,
                            DETECTOR,
                            newest,
                            test.seen,
                            test.statistic(),
                            drift.threshold(),
                            test.mean,
                            test.recentMean(),
                            test.sinceLow,
                            outcome.labelTime(),
                            System.currentTimeMillis(),
                            null));
            alarms.inc();
            test.reset();
        }
        driftStatistic = test.statistic();
    }

    /** A version's sums, added when it is new. */
    private static VersionCounts version(ServedState s, long version) {
        for (int i = s.versions.length - 1; i >= 0; i--) {
            if (s.versions[i].version == version) {
                return s.versions[i];
            }
        }
        VersionCounts v = new VersionCounts();
        v.version = version;
        s.versions = Arrays.copyOf(s.versions, s.versions.length + 1);
        s.versions[s.versions.length - 1] = v;
        return v;
    }

    private static void addRecent(ServedState s, ServedOutcome outcome) {
        if (s.recent.length < CHUNKS) {
            s.recent = new QualityCounts[CHUNKS];
            for (int c = 0; c < CHUNKS; c++) {
                s.recent[c] = new QualityCounts();
            }
        }
        int chunk = (int) ((s.recentSeen / CHUNK) % CHUNKS);
        if (s.recentSeen % CHUNK == 0) {
            s.recent[chunk] = new QualityCounts();
        }
        s.recent[chunk].add(outcome);
        s.recentSeen++;
    }

    /** The last outcomes of every version, as one record (version 0: all of them). */
    private static ServedQuality recentQuality(ServedState s, String model) {
        QualityCounts all = new QualityCounts();
        for (QualityCounts c : s.recent) {
            all.addAll(c);
        }
        return all.toRecord(model, 0, System.currentTimeMillis());
    }

    private double figure(ToDoubleFunction<ServedQuality> f) {
        ServedQuality w = window;
        return w == null ? Double.NaN : f.applyAsDouble(w);
    }

    private ServedQuality.Calibration calibration(int range) {
        ServedQuality w = window;
        if (w == null) {
            return new ServedQuality.Calibration(0, 0, 0, Double.NaN, Double.NaN);
        }
        List<ServedQuality.Calibration> all = w.calibration(ServedQuality.CALIBRATION_EDGES);
        return all.get(range);
    }

    /** The model's state: cached, or read once after a restore (empty for a new model). */
    private ServedState current(String model) throws IOException {
        ServedState s = state.get(model);
        return s == null ? new ServedState() : s;
    }

    private void keep(String model, ServedState s) {
        state.put(model, s);
    }

    @Override
    public void writeBehind(Consumer<String> selectKey) throws IOException {
        state.writeBehind(selectKey);
    }
}
