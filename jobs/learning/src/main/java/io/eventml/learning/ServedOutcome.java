package io.eventml.learning;

/**
 * A served prediction whose label is known.
 *
 * @param eventId the view
 * @param modelVersion the version that served the prediction
 * @param probability what it predicted
 * @param label whether the view led to a purchase within the horizon
 * @param labelTime when the label became known (see {@code TrainingExample#labelTime})
 */
public record ServedOutcome(
        String eventId, long modelVersion, double probability, boolean label, long labelTime) {}
