package io.eventml.common.features;

import io.eventml.common.ml.DenseVectorTypeInformation;

import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.ml.linalg.DenseVector;

import java.util.Objects;

/**
 * The features of one decision event (a product view), computed as of its time from everything that
 * happened before it. On {@code features.user}, keyed by user; {@code values} is a JSON array on
 * the wire and a Flink ML DenseVector inside the jobs.
 *
 * @param eventId the view's eventId
 * @param userId who viewed
 * @param itemId what was viewed
 * @param eventTime when, epoch ms
 * @param specVersion the {@link FeatureSpec} version of {@code values}
 * @param values the features, in the spec's order
 */
public record FeatureVector(
        String eventId,
        String userId,
        String itemId,
        long eventTime,
        int specVersion,
        @TypeInfo(DenseVectorTypeInformation.Factory.class) DenseVector values) {

    public FeatureVector {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(itemId, "itemId");
        Objects.requireNonNull(values, "values");
    }
}
