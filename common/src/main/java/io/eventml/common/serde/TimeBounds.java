package io.eventml.common.serde;

import java.io.Serializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The plausible range of event times: not before {@code earliest}, not more than {@code maxAhead}
 * after the clock's now. Anything outside is a broken clock or a corrupted record, rejected as
 * {@link ReasonCode#TIMESTAMP_OUT_OF_RANGE}.
 */
public record TimeBounds(Instant earliest, Duration maxAhead, Clock clock) implements Serializable {

    /** Not before 2000-01-01, at most one day ahead of the system clock. */
    public static final TimeBounds DEFAULT =
            new TimeBounds(
                    Instant.parse("2000-01-01T00:00:00Z"), Duration.ofDays(1), Clock.systemUTC());

    public TimeBounds {
        Objects.requireNonNull(earliest, "earliest");
        Objects.requireNonNull(maxAhead, "maxAhead");
        Objects.requireNonNull(clock, "clock");
        if (maxAhead.isNegative()) {
            throw new IllegalArgumentException("maxAhead must not be negative, got " + maxAhead);
        }
    }

    /**
     * Returns {@code epochMillis} if it lies within the bounds, else throws {@link
     * DecodeException}.
     */
    public long check(String fieldPath, long epochMillis) {
        long earliestMillis = earliest.toEpochMilli();
        if (epochMillis < earliestMillis) {
            throw new DecodeException(
                    ReasonCode.TIMESTAMP_OUT_OF_RANGE,
                    "field '"
                            + fieldPath
                            + "' is "
                            + describe(epochMillis)
                            + ", before the earliest accepted time "
                            + earliest);
        }
        long latestMillis = clock.millis() + maxAhead.toMillis();
        if (epochMillis > latestMillis) {
            throw new DecodeException(
                    ReasonCode.TIMESTAMP_OUT_OF_RANGE,
                    "field '"
                            + fieldPath
                            + "' is "
                            + describe(epochMillis)
                            + ", more than "
                            + maxAhead
                            + " ahead of now");
        }
        return epochMillis;
    }

    private static String describe(long epochMillis) {
        try {
            return Instant.ofEpochMilli(epochMillis).toString();
        } catch (RuntimeException e) {
            return epochMillis + " ms";
        }
    }
}
