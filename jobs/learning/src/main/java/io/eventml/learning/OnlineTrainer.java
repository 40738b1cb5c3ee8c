package io.eventml.learning;

import io.eventml.common.features.FeatureVector;
import io.eventml.common.ml.ModelUpdate;
import io.eventml.common.ml.TrainingExample;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.ml.linalg.DenseVector;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;

/**
 * Keyed by model name: learns each training example with FTRL-Proximal, scoring it first
 * (progressive validation), and publishes a new model version every {@code publishEvery} examples
 * or every {@code publishInterval} of processing time if it learned anything since. Weights,
 * accumulators, metrics and the version counter are keyed state, so they survive failover and
 * savepoints. Examples of another feature-spec version than the model's are counted ({@code
 * specMismatches}) and never learned.
 */
public final class OnlineTrainer
        extends KeyedProcessFunction<String, TrainingExample, ModelUpdate> {
    private static final long serialVersionUID = 1L;

    private final FtrlProximal ftrl;
    private final long publishEvery;
    private final long publishIntervalMillis;

    private transient ValueState<TrainerState> state;
    private transient Counter mismatches;
    private transient volatile double lastLogLoss = Double.NaN;
    private transient volatile double lastAuc = Double.NaN;
    private transient volatile long lastVersion;

    /** Everything the trainer keeps per model. A Flink POJO. */
    public static class TrainerState {
        public FtrlProximal.State ftrl;
        public ProgressiveMetrics metrics = new ProgressiveMetrics();
        public int specVersion;
        public long version;
        public long examplesAtPublish;
        public long nextPublishTimer = Long.MIN_VALUE;
    }

    public OnlineTrainer(FtrlProximal ftrl, long publishEvery, Duration publishInterval) {
        if (publishEvery < 1) {
            throw new IllegalArgumentException(
                    "publish every must be at least 1 example, got " + publishEvery);
        }
        this.ftrl = ftrl;
        this.publishEvery = publishEvery;
        this.publishIntervalMillis = publishInterval.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        state =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "trainer", TypeInformation.of(TrainerState.class)));
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("eventml");
        mismatches = metrics.counter("specMismatches");
        metrics.gauge("logLoss", (Gauge<Double>) () -> lastLogLoss);
        metrics.gauge("auc", (Gauge<Double>) () -> lastAuc);
        metrics.gauge("modelVersion", (Gauge<Long>) () -> lastVersion);
    }

    @Override
    public void processElement(TrainingExample example, Context ctx, Collector<ModelUpdate> out)
            throws Exception {
        FeatureVector features = example.features();
        TrainerState s = state.value();
        if (s == null) {
            s = new TrainerState();
            s.ftrl = new FtrlProximal.State(features.values().size());
            s.specVersion = features.specVersion();
        }
        if (features.specVersion() != s.specVersion
                || features.values().size() != s.ftrl.z.length) {
            mismatches.inc();
            return;
        }
        double p = ftrl.learn(s.ftrl, features.values().values, example.label());
        s.metrics.add(p, example.label());
        if (s.ftrl.examples - s.examplesAtPublish >= publishEvery) {
            publish(ctx.getCurrentKey(), s, ctx.timerService().currentProcessingTime(), out);
        }
        if (publishIntervalMillis > 0 && s.nextPublishTimer == Long.MIN_VALUE) {
            s.nextPublishTimer = ctx.timerService().currentProcessingTime() + publishIntervalMillis;
            ctx.timerService().registerProcessingTimeTimer(s.nextPublishTimer);
        }
        state.update(s);
        lastLogLoss = s.metrics.logLoss();
        lastAuc = s.metrics.auc();
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<ModelUpdate> out)
            throws Exception {
        TrainerState s = state.value();
        if (s == null) {
            return;
        }
        if (s.ftrl.examples > s.examplesAtPublish) {
            publish(ctx.getCurrentKey(), s, time, out);
        }
        s.nextPublishTimer = time + publishIntervalMillis;
        ctx.timerService().registerProcessingTimeTimer(s.nextPublishTimer);
        state.update(s);
    }

    private void publish(String model, TrainerState s, long now, Collector<ModelUpdate> out) {
        s.version++;
        s.examplesAtPublish = s.ftrl.examples;
        lastVersion = s.version;
        out.collect(
                new ModelUpdate(
                        model,
                        s.version,
                        new DenseVector(ftrl.weights(s.ftrl)),
                        s.ftrl.examples,
                        s.metrics.logLoss(),
                        s.metrics.auc(),
                        s.metrics.positiveRate(),
                        s.specVersion,
                        now));
    }
}
