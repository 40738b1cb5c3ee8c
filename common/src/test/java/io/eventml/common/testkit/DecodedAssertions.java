package io.eventml.common.testkit;

import io.eventml.common.serde.Decoded;
import io.eventml.common.serde.ReasonCode;

import static org.assertj.core.api.Assertions.assertThat;

/** Assertions on {@link Decoded} results. */
public final class DecodedAssertions {
    private DecodedAssertions() {}

    /** The record was rejected for {@code reason} with a message containing {@code messagePart}. */
    public static void assertRejected(Decoded<?> decoded, ReasonCode reason, String messagePart) {
        assertThat(decoded.isValid()).as("expected %s but decoded %s", reason, decoded).isFalse();
        assertThat(decoded.error().reason()).as(decoded.error().message()).isEqualTo(reason);
        assertThat(decoded.error().message()).contains(messagePart);
    }
}
