package io.eventml.common.ml;

import io.eventml.common.features.FeatureVector;

/**
 * A feature vector whose label is known: positive when the user bought the viewed item within the
 * horizon, negative when the horizon passed without a purchase.
 *
 * @param features the view's feature vector
 * @param label whether the item was bought within the horizon
 * @param labelTime when the label became known: the purchase's time, or the view's time plus the
 *     horizon
 */
public record TrainingExample(FeatureVector features, boolean label, long labelTime) {}
