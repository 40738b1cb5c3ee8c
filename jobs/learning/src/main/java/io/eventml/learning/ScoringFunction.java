package io.eventml.learning;

import io.eventml.common.features.FeatureVector;
import io.eventml.common.ml.LogisticRegressionModels;
import io.eventml.common.ml.ModelLines;
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

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scores each feature vector with the newest promoted model of its line (the model's versions
 * trained on the vector's feature-spec version, {@link ModelLines}), using Flink ML's {@link
 * LogisticRegressionModelServable}. Promoted versions arrive on a broadcast stream and are kept in
 * broadcast state, so a restored job scores at once with the models it had; a job started without
 * state scores at once with the version served before it ({@link ModelRegistry}: the newest of the
 * line on {@code ml.models}), looked up once per line and run.
 *
 * <p>An operator's pin ({@code ml.model-pins}, {@code eventml.sh model pin VERSION}) overrides them
 * for the vectors of its spec: while the model is pinned, the pinned version is served whatever is
 * promoted; unpinned, the newest promoted again. Pins are kept in broadcast state too, so a pin
 * holds across restarts, and a scorer without state finds the newest pin when it opens; of two
 * pins, the later one wins.
 *
 * <p>A vector whose line has no model yet (the first of a new feature spec, until its first version
 * is promoted) is not scored ({@code vectorsBeforeModel} counts them); one whose size is not its
 * model's is counted ({@code specMismatches}) and not scored.
 */
public final class ScoringFunction
        extends BroadcastProcessFunction<FeatureVector, ServingUpdate, Prediction> {
    private static final long serialVersionUID = 1L;

    /** Broadcast state: model line -> its newest promoted version. */
    public static final MapStateDescriptor<String, ModelUpdate> MODELS =
            new MapStateDescriptor<>("models", Types.STRING, TypeInformation.of(ModelUpdate.class));

    /** Broadcast state: model name -> the newest pin or unpin. */
    public static final MapStateDescriptor<String, ModelPin> PINS =
            new MapStateDescriptor<>("pins", Types.STRING, TypeInformation.of(ModelPin.class));

    private final String modelName;
    private final ModelRegistry registry;

    /**
     * By line: the version served before this run, if any, used until the broadcast state has a
     * newer; looked up at the line's first vector (spec 1's when the operator opens).
     */
    private transient Map<String, Optional<ModelUpdate>> published;

    /**
     * The pin found when the operator opened, if any: used until the broadcast state has a later.
     */
    private transient ModelPin publishedPin;

    private transient volatile long pinnedVersion;
    private transient volatile long startedFromVersion;

    /** Servables of the versions served lately, by version: a rollout serves two lines at once. */
    private transient Map<Long, LogisticRegressionModelServable> servables;

    private transient Counter beforeModel;
    private transient Counter mismatches;
    private transient Histogram latencyMicros;

    public ScoringFunction(String modelName, ModelRegistry registry) {
        ModelLines.checkName(modelName);
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
        published = new HashMap<>();
        servables = new LinkedHashMap<>(4, 0.75f, true);
        ModelRegistry.Published before = registry.lookup(modelName);
        published.put(modelName, Optional.ofNullable(before.serving()));
        publishedPin = before.pin();
        startedFromVersion = before.serving() == null ? 0 : before.serving().version();
        metrics.gauge("startedFromVersion", (Gauge<Long>) () -> startedFromVersion);
        metrics.gauge("pinnedVersion", (Gauge<Long>) () -> pinnedVersion);
    }

    @Override
    public void processBroadcastElement(
            ServingUpdate update, Context ctx, Collector<Prediction> out) throws Exception {
        ModelUpdate promoted = update.promoted();
        if (promoted != null && promoted.modelName().equals(modelName)) {
            ModelUpdate current = ctx.getBroadcastState(MODELS).get(promoted.lineKey());
            if (current == null || promoted.version() > current.version()) {
                ctx.getBroadcastState(MODELS).put(promoted.lineKey(), promoted);
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
        String line = ModelLines.key(modelName, vector.specVersion());
        ModelUpdate model = ctx.getBroadcastState(MODELS).get(line);
        ModelUpdate before =
                published
                        .computeIfAbsent(
                                line, l -> Optional.ofNullable(registry.lookup(l).serving()))
                        .orElse(null);
        if (before != null && (model == null || before.version() > model.version())) {
            model = before;
        }
        ModelPin pin = ModelPin.later(publishedPin, ctx.getBroadcastState(PINS).get(modelName));
        if (pin != null && pin.pinned()) {
            pinnedVersion = pin.model().version();
            if (pin.model().specVersion() == vector.specVersion()) {
                model = pin.model();
            }
        } else {
            pinnedVersion = 0;
        }
        if (model == null) {
            beforeModel.inc();
            return;
        }
        if (vector.values().size() != model.coefficients().size()) {
            mismatches.inc();
            return;
        }
        LogisticRegressionModelServable servable = servable(model);
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

    private LogisticRegressionModelServable servable(ModelUpdate model) {
        LogisticRegressionModelServable servable = servables.get(model.version());
        if (servable == null) {
            servable = LogisticRegressionModels.servable(model.modelData());
            servables.put(model.version(), servable);
            if (servables.size() > 4) {
                servables.remove(servables.keySet().iterator().next());
            }
        }
        return servable;
    }
}
