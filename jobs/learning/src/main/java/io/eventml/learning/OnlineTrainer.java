package io.eventml.learning;

import io.eventml.common.features.FeatureSpec;
import io.eventml.common.features.FeatureVector;
import io.eventml.common.ml.DriftAlarm;
import io.eventml.common.ml.ModelDecision;
import io.eventml.common.ml.ModelLines;
import io.eventml.common.ml.ModelUpdate;
import io.eventml.common.ml.TrainingExample;
import io.eventml.common.state.WriteBehindCache;
import io.eventml.common.state.WriteBehindProcessOperator;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.ml.linalg.DenseVector;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Keyed by model line (the model and the feature-spec version of its examples, {@link ModelLines}):
 * learns each training example with FTRL-Proximal, scoring it first (progressive validation), and
 * cuts a candidate version every {@code publishEvery} examples or every {@code publishInterval} of
 * processing time if it learned anything since, as soon as the {@link PromotionGate} is free. The
 * gate evaluates the candidate on the examples that follow and decides: every decision goes to the
 * {@link #DECISIONS} side output, a promoted version to the main output (served and written to
 * {@code ml.models}). Weights, accumulators, metrics, the gate and the version counter are keyed
 * state, so they survive failover and savepoints; versions continue after the newest ever published
 * of the line ({@link ModelRegistry}) even when the state is lost, in the line's block of numbers.
 * Examples of a new spec version start a new line, from nothing, beside the old one; its candidates
 * are judged against the base rate and the newest promoted version of their own line only. Examples
 * whose vector size differs from their line's are counted ({@code specMismatches}) and never
 * learned.
 *
 * <p>With {@link Feedback#IMMEDIATE} the trainer learns the early examples (fake negatives and
 * early positives, with fake-negative weights) and only scores the final ones: they feed the
 * progressive figures and the gate as they do with {@link Feedback#HORIZON}, where the final
 * examples are the ones learned.
 *
 * <p>A job has one model, one line at a time but for a spec rollout, so every example updates the
 * same ~26 KB state: the trainer keeps it as an object and writes it to the state backend before
 * each snapshot ({@link WriteBehindProcessOperator}), instead of reading and writing it per
 * example. Run it with {@link #apply}, which adds that operator.
 */
public final class OnlineTrainer extends KeyedProcessFunction<String, TrainerInput, ModelUpdate>
        implements WriteBehindProcessOperator.WriteBehind<String> {
    private static final long serialVersionUID = 1L;

    /** Features whose distribution drifted from the serving version's ({@link FeatureDrift}). */
    public static final OutputTag<DriftAlarm> FEATURE_DRIFT =
            new OutputTag<>("feature-drift", TypeInformation.of(DriftAlarm.class));

    public static final String FEATURE_DETECTOR = "population-stability-index";

    /** Every decision of the promotion gate. */
    public static final OutputTag<ModelDecision> DECISIONS =
            new OutputTag<>("model-decisions", TypeInformation.of(ModelDecision.class));

    private final FtrlProximal ftrl;
    private final long publishEvery;
    private final long publishIntervalMillis;
    private final PromotionGate.Settings gate;
    private final FeatureDrift.Settings featureDrift;
    private final ModelRegistry registry;

    /** Whether the final examples are the ones learned ({@link Feedback#HORIZON}). */
    private final boolean learnsFinal;

    /** What was published of each model before this run, looked up once per model and run. */
    private transient Map<String, ModelRegistry.Published> published;

    /** The state of the models seen since the last restore; written back before each snapshot. */
    private transient WriteBehindCache<String, TrainerState> state;

    private transient Counter mismatches;
    private transient Counter promotions;
    private transient Counter rejections;
    private transient Counter featureAlarms;
    private transient volatile double maxFeaturePsi;
    private transient volatile double lastLogLoss = Double.NaN;
    private transient volatile double lastAuc = Double.NaN;
    private transient volatile long lastVersion;
    private transient volatile long servingVersion;

    /** Everything the trainer keeps per model. A Flink POJO. */
    public static class TrainerState {
        public FtrlProximal.State ftrl;
        public ProgressiveMetrics metrics = new ProgressiveMetrics();
        public int specVersion;
        public long version;
        public long examplesAtPublish;
        public long nextPublishTimer = Long.MIN_VALUE;
        public PromotionGate gate = new PromotionGate();

        /** Feature drift against the serving version; null in state of a version without it. */
        public FeatureDrift features;
    }

    public OnlineTrainer(
            FtrlProximal ftrl,
            long publishEvery,
            Duration publishInterval,
            PromotionGate.Settings gate,
            FeatureDrift.Settings featureDrift,
            Feedback feedback,
            ModelRegistry registry) {
        if (publishEvery < 1) {
            throw new IllegalArgumentException(
                    "publish every must be at least 1 example, got " + publishEvery);
        }
        this.ftrl = ftrl;
        this.publishEvery = publishEvery;
        this.publishIntervalMillis = publishInterval.toMillis();
        this.gate = gate;
        this.featureDrift = featureDrift;
        this.registry = registry;
        this.learnsFinal = feedback == Feedback.HORIZON;
    }

    /** The trainer on examples keyed by model name, with its state written behind. */
    public static SingleOutputStreamOperator<ModelUpdate> apply(
            KeyedStream<TrainerInput, String> examples, OnlineTrainer trainer) {
        return examples.transform(
                "Online trainer (FTRL)",
                TypeInformation.of(ModelUpdate.class),
                new WriteBehindProcessOperator<>(trainer));
    }

    @Override
    public void open(OpenContext openContext) {
        state =
                new WriteBehindCache<>(
                        getRuntimeContext()
                                .getState(
                                        new ValueStateDescriptor<>(
                                                "trainer",
                                                TypeInformation.of(TrainerState.class))));
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("eventml");
        mismatches = metrics.counter("specMismatches");
        promotions = metrics.counter("promotions");
        rejections = metrics.counter("rejections");
        featureAlarms = metrics.counter("featureDriftAlarms");
        metrics.gauge("maxFeaturePsi", (Gauge<Double>) () -> maxFeaturePsi);
        metrics.gauge("logLoss", (Gauge<Double>) () -> lastLogLoss);
        metrics.gauge("auc", (Gauge<Double>) () -> lastAuc);
        metrics.gauge("modelVersion", (Gauge<Long>) () -> lastVersion);
        metrics.gauge("servingVersion", (Gauge<Long>) () -> servingVersion);
        published = new HashMap<>();
    }

    @Override
    public void processElement(TrainerInput input, Context ctx, Collector<ModelUpdate> out)
            throws Exception {
        TrainingExample example = input.example();
        FeatureVector features = example.features();
        TrainerState s = current(ctx.getCurrentKey());
        if (s == null) {
            s = new TrainerState();
            s.ftrl = new FtrlProximal.State(features.values().size());
            s.specVersion = features.specVersion();
            adopt(s, lookup(ctx.getCurrentKey()));
        }
        if (features.specVersion() != s.specVersion
                || features.values().size() != s.ftrl.z.length) {
            mismatches.inc();
            return;
        }
        double[] x = features.values().values;
        long now = ctx.timerService().currentProcessingTime();
        if (input.early() ? !example.label() : learnsFinal) {
            // A view learned for the first time: as a fake negative, or with its final label.
            watchFeatures(ctx.getCurrentKey(), s, x, example.labelTime(), ctx);
        }
        if (input.early()) {
            ftrl.learnFakeNegativeWeighted(s.ftrl, x, example.label());
        } else if (learnsFinal) {
            s.metrics.add(ftrl.learn(s.ftrl, x, example.label()), example.label());
        } else {
            s.metrics.add(ftrl.predict(s.ftrl, x), example.label());
        }
        if (!input.early() && s.gate.evaluating()) {
            // Its final label was not learned by the candidate, frozen before it came; with
            // immediate feedback its early labels may have been (docs/learning.md).
            s.gate.evaluate(x, example.label());
            if (s.gate.due(gate)) {
                decide(s, now, ctx, out);
            }
        }
        if (s.ftrl.examples - s.examplesAtPublish >= publishEvery) {
            publish(ctx.getCurrentKey(), s, now);
        }
        if (publishIntervalMillis > 0 && s.nextPublishTimer == Long.MIN_VALUE) {
            s.nextPublishTimer = ctx.timerService().currentProcessingTime() + publishIntervalMillis;
            ctx.timerService().registerProcessingTimeTimer(s.nextPublishTimer);
        }
        keep(ctx.getCurrentKey(), s);
        lastLogLoss = s.metrics.logLoss();
        lastAuc = s.metrics.auc();
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<ModelUpdate> out)
            throws Exception {
        TrainerState s = current(ctx.getCurrentKey());
        if (s == null) {
            return;
        }
        if (s.ftrl.examples > s.examplesAtPublish) {
            publish(ctx.getCurrentKey(), s, time);
        }
        s.nextPublishTimer = time + publishIntervalMillis;
        ctx.timerService().registerProcessingTimeTimer(s.nextPublishTimer);
        keep(ctx.getCurrentKey(), s);
    }

    /**
     * The model's state: cached, or read once after a restore (null for a new model), brought up to
     * what was published before this run: versions continue after the newest ever given, and the
     * gate measures candidates against the version served.
     */
    private TrainerState current(String model) throws IOException {
        TrainerState s = state.get(model);
        if (s != null && !published.containsKey(model)) {
            adopt(s, lookup(model));
        }
        return s;
    }

    private ModelRegistry.Published lookup(String model) {
        return published.computeIfAbsent(model, registry::lookup);
    }

    private void adopt(TrainerState s, ModelRegistry.Published before) {
        s.version =
                Math.max(
                        s.version,
                        Math.max(before.lastVersion(), ModelLines.versionsAfter(s.specVersion)));
        ModelUpdate served = before.serving();
        if (s.gate == null) {
            // State of a version without the gate.
            s.gate = new PromotionGate();
        }
        if (s.gate.candidate != null && s.gate.candidate.version() <= before.lastVersion()) {
            // Restored from a savepoint older than decisions made since: that number is taken. The
            // next candidate is cut afresh, numbered after them.
            s.gate.candidate = null;
        }
        if (served != null
                && served.specVersion() == s.specVersion
                && served.coefficients().size() == s.ftrl.z.length
                && (s.gate.serving == null || served.version() > s.gate.serving.version())) {
            s.gate.serving = served;
            if (s.features != null) {
                s.features.servingReplaced();
            }
        }
        lastVersion = s.version;
        servingVersion = s.gate.serving == null ? 0 : s.gate.serving.version();
    }

    private void keep(String model, TrainerState s) {
        state.put(model, s);
    }

    @Override
    public void writeBehind(Consumer<String> selectKey) throws IOException {
        state.writeBehind(selectKey);
    }

    /**
     * Hands the gate the model's weights now: as the next candidate when none is being judged, or
     * in place of a candidate judged on no example yet (no final example since its cut: a fresh
     * model's first horizon with immediate feedback, or a pause), which would otherwise be judged,
     * and served, stale.
     */
    private void publish(String model, TrainerState s, long now) {
        if (!s.gate.evaluating()) {
            cut(model, s, now);
        } else if (s.gate.evaluated == 0) {
            s.examplesAtPublish = s.ftrl.examples;
            s.gate.recut(freeze(model, s, now));
            features(s, s.ftrl.z.length).cut();
        }
    }

    /** The line's feature drift, made for state of a version without it. */
    private static FeatureDrift features(TrainerState s, int size) {
        if (s.features == null) {
            s.features = FeatureDrift.of(size);
        }
        return s.features;
    }

    /** Counts a view learned; a block of them that drifted from the reference raises alarms. */
    private void watchFeatures(
            String line, TrainerState s, double[] x, long labelTime, Context ctx) {
        FeatureDrift drift = features(s, x.length);
        List<FeatureDrift.Shift> shifts = drift.observe(x, featureDrift);
        maxFeaturePsi = drift.lastMaxPsi;
        for (FeatureDrift.Shift shift : shifts) {
            ctx.output(
                    FEATURE_DRIFT,
                    new DriftAlarm(
                            ModelLines.modelOf(line),
                            FEATURE_DETECTOR,
                            s.gate.serving == null ? 0 : s.gate.serving.version(),
                            drift.reference.count,
                            shift.psi(),
                            featureDrift.threshold(),
                            shift.referenceMean(),
                            shift.recentMean(),
                            featureDrift.window(),
                            labelTime,
                            System.currentTimeMillis(),
                            featureName(s.specVersion, x.length, shift.feature())));
            featureAlarms.inc();
        }
    }

    private static String featureName(int spec, int size, int feature) {
        return FeatureSpec.isKnown(spec) && size == FeatureSpec.size(spec)
                ? FeatureSpec.names(spec).get(feature)
                : "feature_" + feature;
    }

    /** Freezes the model as the next candidate version and hands it to the gate. */
    private void cut(String model, TrainerState s, long now) {
        s.version++;
        s.examplesAtPublish = s.ftrl.examples;
        lastVersion = s.version;
        s.gate.cut(freeze(model, s, now));
        features(s, s.ftrl.z.length).cut();
    }

    /** The weights of the model's line {@code line} now, as version {@code s.version}. */
    private ModelUpdate freeze(String line, TrainerState s, long now) {
        return new ModelUpdate(
                ModelLines.modelOf(line),
                s.version,
                new DenseVector(ftrl.weights(s.ftrl)),
                s.ftrl.examples,
                s.metrics.logLoss(),
                s.metrics.auc(),
                s.metrics.positiveRate(),
                s.specVersion,
                now);
    }

    private void decide(TrainerState s, long now, Context ctx, Collector<ModelUpdate> out) {
        ModelDecision decision = s.gate.decide(gate, now);
        features(s, s.ftrl.z.length).decided(decision.promoted());
        ctx.output(DECISIONS, decision);
        if (decision.promoted()) {
            promotions.inc();
            servingVersion = decision.version();
            out.collect(decision.model());
        } else {
            rejections.inc();
        }
    }
}
