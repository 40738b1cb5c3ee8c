package io.eventml.learning;

import io.eventml.common.ml.ModelPin;
import io.eventml.common.ml.ModelUpdate;

/**
 * What the scorer's broadcast input carries: a version the gate promoted, or an operator's pin (or
 * unpin) from {@code ml.model-pins}. Exactly one of the two is set.
 */
public record ServingUpdate(ModelUpdate promoted, ModelPin pin) {

    public static ServingUpdate promoted(ModelUpdate model) {
        return new ServingUpdate(model, null);
    }

    public static ServingUpdate pin(ModelPin pin) {
        return new ServingUpdate(null, pin);
    }
}
