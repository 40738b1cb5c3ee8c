package io.eventml.learning;

import io.eventml.common.ml.Prediction;
import io.eventml.common.ml.TrainingExample;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;

/**
 * Keyed by the view's event id: joins the prediction the scorer served for a view with the view's
 * example from the label join, whichever comes first, into a {@link ServedOutcome}.
 *
 * <p>A prediction is timestamped with its view's time, an example with the end of the view's
 * horizon or later. The label join labels a view only while the watermark is at most a horizon plus
 * its allowed lateness (and a one-second slot) past the view, so a side still alone when the
 * watermark passes that is alone for good, and its state is cleared by one timer: a prediction
 * whose view got no example (a late view, on the dead-letter topic) is counted in {@code
 * unlabelledPredictions}, an example without a prediction (scored before the first model, or of
 * another feature spec) in {@code unservedExamples}.
 */
public final class ServedOutcomeJoin
        extends KeyedCoProcessFunction<String, Prediction, TrainingExample, ServedOutcome> {
    private static final long serialVersionUID = 1L;

    /** A view's label, waiting for its prediction. */
    public static class KnownLabel {
        public boolean label;
        public long labelTime;

        public KnownLabel() {}

        KnownLabel(boolean label, long labelTime) {
            this.label = label;
            this.labelTime = labelTime;
        }
    }

    /** From the view's time to when neither side can still come. */
    private final long waitMillis;

    private transient ValueState<Prediction> prediction;
    private transient ValueState<KnownLabel> label;
    private transient Counter joined;
    private transient Counter unlabelled;
    private transient Counter unserved;

    public ServedOutcomeJoin(Duration horizon, Duration allowedLateness) {
        this.waitMillis =
                horizon.toMillis() + allowedLateness.toMillis() + LabelJoinFunction.SLOT_MILLIS;
    }

    @Override
    public void open(OpenContext openContext) {
        prediction =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "prediction", TypeInformation.of(Prediction.class)));
        label =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "label", TypeInformation.of(KnownLabel.class)));
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("eventml");
        joined = metrics.counter("servedOutcomes");
        unlabelled = metrics.counter("unlabelledPredictions");
        unserved = metrics.counter("unservedExamples");
    }

    @Override
    public void processElement1(Prediction p, Context ctx, Collector<ServedOutcome> out)
            throws Exception {
        long viewTime = ctx.timestamp();
        KnownLabel known = label.value();
        if (known == null) {
            prediction.update(p);
            ctx.timerService().registerEventTimeTimer(viewTime + waitMillis);
            return;
        }
        label.clear();
        ctx.timerService().deleteEventTimeTimer(viewTime + waitMillis);
        emit(p, known.label, known.labelTime, out);
    }

    @Override
    public void processElement2(TrainingExample example, Context ctx, Collector<ServedOutcome> out)
            throws Exception {
        long viewTime = example.features().eventTime();
        Prediction p = prediction.value();
        if (p == null) {
            label.update(new KnownLabel(example.label(), example.labelTime()));
            ctx.timerService().registerEventTimeTimer(viewTime + waitMillis);
            return;
        }
        prediction.clear();
        ctx.timerService().deleteEventTimeTimer(viewTime + waitMillis);
        emit(p, example.label(), example.labelTime(), out);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<ServedOutcome> out)
            throws Exception {
        if (prediction.value() != null) {
            unlabelled.inc();
            prediction.clear();
        }
        if (label.value() != null) {
            unserved.inc();
            label.clear();
        }
    }

    private void emit(
            Prediction p, boolean positive, long labelTime, Collector<ServedOutcome> out) {
        joined.inc();
        out.collect(
                new ServedOutcome(
                        p.eventId(), p.modelVersion(), p.probability(), positive, labelTime));
    }
}
