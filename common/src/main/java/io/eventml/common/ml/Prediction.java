package io.eventml.common.ml;

/**
 * A real-time prediction for one product view.
 *
 * @param eventId the view's eventId
 * @param userId who viewed
 * @param itemId what was viewed
 * @param probability predicted probability that the user buys the item within the label horizon
 * @param modelVersion the model version that scored it
 * @param scoringTime when it was scored, epoch ms
 */
public record Prediction(
        String eventId,
        String userId,
        String itemId,
        double probability,
        long modelVersion,
        long scoringTime) {}
