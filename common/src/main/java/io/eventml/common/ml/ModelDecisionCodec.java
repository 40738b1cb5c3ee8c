package io.eventml.common.ml;

import io.eventml.common.serde.DecodeException;
import io.eventml.common.serde.JsonCodec;
import io.eventml.common.serde.JsonFields;
import io.eventml.common.serde.JsonLimits;
import io.eventml.common.serde.ReasonCode;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * JSON codec of {@link ModelDecision} on {@code ml.model-decisions}: the candidate's fields as on
 * {@code ml.models} (coefficients and Flink ML {@code modelData} included, so that any decided
 * version can be served again), then the decision and its figures. See docs/events.md.
 */
public final class ModelDecisionCodec extends JsonCodec<ModelDecision> {
    private static final long serialVersionUID = 1L;

    /** Longest reason kept; a longer one is cut. */
    public static final int MAX_REASON = 500;

    private static final Map<String, ModelDecision.Verdict> VERDICTS =
            Arrays.stream(ModelDecision.Verdict.values())
                    .collect(Collectors.toUnmodifiableMap(Enum::name, Function.identity()));

    public ModelDecisionCodec() {
        super(JsonLimits.DEFAULT);
    }

    @Override
    protected ModelDecision read(JsonFields f) {
        ModelUpdate model = ModelUpdateCodec.readModel(f);
        long examples = f.requiredLong("holdoutExamples", 0, Long.MAX_VALUE);
        long servingVersion = f.requiredLong("servingVersion", 0, Long.MAX_VALUE);
        double servingLogLoss = f.optionalDouble("servingLogLoss", 0, Double.MAX_VALUE);
        if (servingVersion == 0 && !Double.isNaN(servingLogLoss)) {
            throw new DecodeException(
                    ReasonCode.INVALID_VALUE,
                    "field 'servingLogLoss' is set but 'servingVersion' is 0 (nothing served)");
        }
        return new ModelDecision(
                model,
                f.requiredEnum("verdict", VERDICTS),
                f.requiredDescription("reason", MAX_REASON),
                examples,
                f.requiredLong("holdoutPositives", 0, examples),
                f.optionalDouble("candidateLogLoss", 0, Double.MAX_VALUE),
                f.optionalDouble("candidateAuc", 0, 1),
                servingVersion,
                servingLogLoss,
                f.requiredLong("decidedAt", 0, Long.MAX_VALUE));
    }

    @Override
    protected void write(ModelDecision d, JsonGenerator out) throws IOException {
        ModelUpdateCodec.writeModel(d.model(), out);
        out.writeStringField("verdict", d.verdict().name());
        out.writeStringField("reason", d.reason());
        out.writeNumberField("holdoutExamples", d.holdoutExamples());
        out.writeNumberField("holdoutPositives", d.holdoutPositives());
        ModelUpdateCodec.writeMetric("candidateLogLoss", d.candidateLogLoss(), out);
        ModelUpdateCodec.writeMetric("candidateAuc", d.candidateAuc(), out);
        out.writeNumberField("servingVersion", d.servingVersion());
        ModelUpdateCodec.writeMetric("servingLogLoss", d.servingLogLoss(), out);
        ModelUpdateCodec.writeMetric("baseLogLoss", d.baseLogLoss(), out);
        out.writeNumberField("decidedAt", d.decidedAt());
    }
}
