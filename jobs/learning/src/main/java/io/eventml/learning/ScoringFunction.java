package io.eventml.learning;

import io.eventml.common.features.FeatureVector;
import io.eventml.common.ml.LogisticRegressionModels;
import io.eventml.common.ml.ModelUpdate;
import io.eventml.common.ml.Prediction;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.ml.classification.logisticregression.LogisticRegressionModelServable;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

import java.util.List;

/**
 * Scores each feature vector with the newest model, using Flink ML's {@link
 * LogisticRegressionModelServable}. The model arrives on a broadcast stream and is kept in
 * broadcast state, so a restored job scores at once with the model it had. Before the first model
 * nothing is emitted ({@code vectorsBeforeModel} counts them); a vector of another feature-spec
 * version than the model's is counted ({@code specMismatches}) and not scored.
 */
public final class ScoringFunction
        extends BroadcastProcessFunction<FeatureVector, ModelUpdate, Prediction> {
    private static final long serialVersionUID = 1L;

    /** Broadcast state: model name -> newest model. */
    public static final MapStateDescriptor<String, ModelUpdate> MODELS =
            new MapStateDescriptor<>("models", Types.STRING, TypeInformation.of(ModelUpdate.class));

    private final String modelName;

    private transient long servableVersion = -1;
    private transient LogisticRegressionModelServable servable;
    private transient Counter beforeModel;
    private transient Counter mismatches;
    private transient Histogram latencyMicros;

    public ScoringFunction(String modelName) {
        this.modelName = modelName;
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("eventml");
        beforeModel = metrics.counter("vectorsBeforeModel");
        mismatches = metrics.counter("specMismatches");
        latencyMicros =
                metrics.histogram(
                        "scoringLatencyMicros", new DescriptiveStatisticsHistogram(10_000));
    }

    @Override
    public void processBroadcastElement(ModelUpdate model, Context ctx, Collector<Prediction> out)
            throws Exception {
        if (!model.modelName().equals(modelName)) {
            return;
        }
        ModelUpdate current = ctx.getBroadcastState(MODELS).get(modelName);
        if (current == null || model.version() > current.version()) {
            ctx.getBroadcastState(MODELS).put(modelName, model);
        }
    }

    @Override
    public void processElement(FeatureVector vector, ReadOnlyContext ctx, Collector<Prediction> out)
            throws Exception {
        ModelUpdate model = ctx.getBroadcastState(MODELS).get(modelName);
        if (model == null) {
            beforeModel.inc();
            return;
        }
        if (vector.specVersion() != model.specVersion()
                || vector.values().size() != model.coefficients().size()) {
            mismatches.inc();
            return;
        }
        if (servable == null || servableVersion != model.version()) {
            servable = LogisticRegressionModels.servable(model.modelData());
            servableVersion = model.version();
        }
        long start = System.nanoTime();
        double p = LogisticRegressionModels.probabilities(servable, List.of(vector.values()))[0];
        latencyMicros.update((System.nanoTime() - start) / 1_000);
        out.collect(
                new Prediction(
                        vector.eventId(),
                        vector.userId(),
                        vector.itemId(),
                        p,
                        model.version(),
                        System.currentTimeMillis()));
    }
}
