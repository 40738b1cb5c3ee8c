package io.eventml.common.raw;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;

/**
 * One record of {@code raw.social}: a post by a handle that the social listening tool has mapped to
 * a user. Times are ISO-8601 with the poster's offset on the wire.
 *
 * @param postId the platform's id of the post
 * @param handle the poster's handle
 * @param userId the user the handle is mapped to
 * @param sentiment the post's sentiment score in [-1, 1]
 * @param mentions item ids mentioned in the post, possibly none
 * @param postedAt when it was posted, with the poster's offset
 */
public record SocialPost(
        String postId,
        String handle,
        String userId,
        double sentiment,
        List<String> mentions,
        OffsetDateTime postedAt) {

    public SocialPost {
        Objects.requireNonNull(postId, "postId");
        Objects.requireNonNull(handle, "handle");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(postedAt, "postedAt");
        mentions = List.copyOf(mentions);
    }
}
