package io.eventml.common.ml;

/**
 * An operator's pin of a model to one version, or its release. While a model is pinned, its scorers
 * serve the pinned version whatever the promotion gate promotes; unpinned, they serve the newest
 * promoted version again. Of two pins of a model, the one made later wins.
 *
 * @param modelName the model
 * @param model the pinned version, as it was on {@code ml.models}; null: unpinned
 * @param at when it was pinned or unpinned, epoch ms
 */
public record ModelPin(String modelName, ModelUpdate model, long at) {

    public static ModelPin pin(ModelUpdate model, long at) {
        return new ModelPin(model.modelName(), model, at);
    }

    public static ModelPin unpin(String modelName, long at) {
        return new ModelPin(modelName, null, at);
    }

    public boolean pinned() {
        return model != null;
    }

    /** The later of two pins of a model (either may be null). */
    public static ModelPin later(ModelPin a, ModelPin b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return b.at() > a.at() ? b : a;
    }
}
