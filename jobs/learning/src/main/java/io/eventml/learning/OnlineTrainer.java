package io.eventml.learning;

import io.eventml.common.features.FeatureVector;
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

import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Keyed by model name: learns each training example with FTRL-Proximal, scoring it first
 * (progressive validation), and publishes a new model version every {@code publishEvery} examples
 * or every {@code publishInterval} of processing time if it learned anything since. Weights,
 * accumulators, metrics and the version counter are keyed state, so they survive failover and
 * savepoints. Examples of another feature-spec version than the model's are counted ({@code
 * specMismatches}) and never learned.
 *
 * <p>A job has one model, so every example updates the same ~9 KB state: the trainer keeps it as an
 * object and writes it to the state backend before each snapshot ({@link
 * WriteBehindProcessOperator}), instead of reading and writing it per example. Run it with {@link
 * #apply}, which adds that operator.
 */
public final class OnlineTrainer extends KeyedProcessFunction<String, TrainingExample, ModelUpdate>
        implements WriteBehindProcessOperator.WriteBehind<String> {
    private static final long serialVersionUID = 1L;

    private final FtrlProximal ftrl;
    private final long publishEvery;
    private final long publishIntervalMillis;

    /** The state of the models seen since the last restore; written back before each snapshot. */
    private transient WriteBehindCache<String, TrainerState> state;

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

    /** The trainer on examples keyed by model name, with its state written behind. */
    public static SingleOutputStreamOperator<ModelUpdate> apply(
            KeyedStream<TrainingExample, String> examples, OnlineTrainer trainer) {
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
        metrics.gauge("logLoss", (Gauge<Double>) () -> lastLogLoss);
        metrics.gauge("auc", (Gauge<Double>) () -> lastAuc);
        metrics.gauge("modelVersion", (Gauge<Long>) () -> lastVersion);
    }

    @Override
    public void processElement(TrainingExample example, Context ctx, Collector<ModelUpdate> out)
            throws Exception {
        FeatureVector features = example.features();
        TrainerState s = current(ctx.getCurrentKey());
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
            publish(ctx.getCurrentKey(), s, time, out);
        }
        s.nextPublishTimer = time + publishIntervalMillis;
        ctx.timerService().registerProcessingTimeTimer(s.nextPublishTimer);
        keep(ctx.getCurrentKey(), s);
    }

    /** The model's state: cached, or read once after a restore (null for a new model). */
    private TrainerState current(String model) throws IOException {
        return state.get(model);
    }

    private void keep(String model, TrainerState s) {
        state.put(model, s);
    }

    @Override
    public void writeBehind(Consumer<String> selectKey) throws IOException {
        state.writeBehind(selectKey);
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
