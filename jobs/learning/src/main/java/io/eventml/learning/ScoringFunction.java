package io.eventml.learning;

import io.eventml.common.features.FeatureVector;
import io.eventml.common.ml.LogisticRegressionModels;
import io.eventml.common.ml.ModelPin;
import io.eventml.common.ml.ModelUpdate;
import io.eventml.common.ml.Prediction;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.ml.classification.logisticregression.LogisticRegressionModelServable;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

import java.util.List;

/**
 * Scores each feature vector with the newest promoted model, using Flink ML's {@link
 * LogisticRegressionModelServable}. Promoted versions arrive on a broadcast stream and are kept in
 * broadcast state, so a restored job scores at once with the model it had; a job started without
 * state scores at once with the version served before it ({@link ModelRegistry}: the newest on
 * {@code ml.models}), looked up when the operator opens.
 *
 * <p>An operator's pin ({@code ml.model-pins}, {@code eventml.sh model pin VERSION}) overrides
 * them: while the model is pinned, the pinned version is served whatever is promoted; unpinned, the
 * newest promoted again. Pins are kept in broadcast state too, so a pin holds across restarts, and
 * a scorer without state finds the newest pin when it opens; of two pins, the later one wins.
 *
 * <p>Before any model nothing is emitted ({@code vectorsBeforeModel} counts them); a vector of
 * another feature-spec version than the model's is counted ({@code specMismatches}) and not scored.
 */
public final class ScoringFunction
        extends BroadcastProcessFunction<FeatureVector, ServingUpdate, Prediction> {
    private static final long serialVersionUID = 1L;

    /** Broadcast state: model name -> newest model. */
    public static final MapStateDescriptor<String, ModelUpdate> MODELS =
            new MapStateDescriptor<>("models", Types.STRING, TypeInformation.of(ModelUpdate.class));

    /** Broadcast state: model name -> the newest pin or unpin. */
    public static final MapStateDescriptor<String, ModelPin> PINS =
            new MapStateDescriptor<>("pins", Types.STRING, TypeInformation.of(ModelPin.class));

    private final String modelName;
    private final ModelRegistry registry;

    /** The version served before this run, if any: used until the broadcast state has a newer. */
    private transient ModelUpdate published;

    /**
     * The pin found when the operator opened, if any: used until the broadcast state has a later.
     */
    private transient ModelPin publishedPin;

    private transient volatile long pinnedVersion;

    private transient long servableVersion = -1;
    private transient LogisticRegressionModelServable servable;
    private transient Counter beforeModel;
    private transient Counter mismatches;
    private transient Histogram latencyMicros;

    public ScoringFunction(String modelName, ModelRegistry registry) {
        this.modelName = modelName;
        this.registry = registry;
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("eventml");
        beforeModel = metrics.counter("vectorsBeforeModel");
        mismatches = metrics.counter("specMismatches");
        latencyMicros =
                metrics.histogram(
                        "scoringLatencyMicros", new DescriptiveStatisticsHistogram(10_000));
        ModelRegistry.Published before = registry.lookup(modelName);
        published = before.serving();
        publishedPin = before.pin();
        metrics.gauge(
                "startedFromVersion",
                (Gauge<Long>) () -> published == null ? 0 : published.version());
        metrics.gauge("pinnedVersion", (Gauge<Long>) () -> pinnedVersion);
    }

    @Override
    public void processBroadcastElement(
            ServingUpdate update, Context ctx, Collector<Prediction> out) throws Exception {
        if (update.promoted() != null && update.promoted().modelName().equals(modelName)) {
            ModelUpdate current = ctx.getBroadcastState(MODELS).get(modelName);
            if (current == null || update.promoted().version() > current.version()) {
                ctx.getBroadcastState(MODELS).put(modelName, update.promoted());
            }
        }
        if (update.pin() != null && update.pin().modelName().equals(modelName)) {
            ModelPin current = ctx.getBroadcastState(PINS).get(modelName);
            ctx.getBroadcastState(PINS).put(modelName, ModelPin.later(current, update.pin()));
        }
    }

    @Override
    public void processElement(FeatureVector vector, ReadOnlyContext ctx, Collector<Prediction> out)
            throws Exception {
        ModelUpdate model = ctx.getBroadcastState(MODELS).get(modelName);
        if (published != null && (model == null || published.version() > model.version())) {
            model = published;
        }
        ModelPin pin = ModelPin.later(publishedPin, ctx.getBroadcastState(PINS).get(modelName));
        if (pin != null && pin.pinned()) {
            model = pin.model();
            pinnedVersion = model.version();
        } else {
            pinnedVersion = 0;
        }
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
