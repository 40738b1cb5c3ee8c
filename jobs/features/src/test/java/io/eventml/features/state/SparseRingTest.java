package io.eventml.features.state;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sparse rings of {@link UserState} sum what the dense ring of earlier versions summed, for
 * events in any order (some older than the ring remembers), with compactions between them, and from
 * a dense ring restored from an earlier version's state (empty, and midway with counts).
 */
class SparseRingTest {
    private static final long T = 1_764_000_000_000L;
    private static final int C = UserState.CHANNELS;

    @Test
    void sparseRingsSumWhatTheDenseRingSummed() {
        for (int seed = 0; seed < 20; seed++) {
            Random r = new Random(seed);
            // The oracle: the dense rings, bucket b in slot b mod slots.
            long[] minuteIds = BucketRing.emptyIds(UserState.MINUTE_SLOTS);
            double[] minuteSums = new double[UserState.MINUTE_SLOTS * C];
            long[] hourIds = BucketRing.emptyIds(UserState.HOUR_SLOTS);
            double[] hourSums = new double[UserState.HOUR_SLOTS * C];
            UserState sparse = new UserState();
            // As restored from an earlier version: dense arrays, every slot free.
            UserState restored = new UserState();
            restored.minuteIds = BucketRing.emptyIds(UserState.MINUTE_SLOTS);
            restored.minuteSums = new double[UserState.MINUTE_SLOTS * C];
            restored.hourIds = BucketRing.emptyIds(UserState.HOUR_SLOTS);
            restored.hourSums = new double[UserState.HOUR_SLOTS * C];
            // Restored midway from a state an earlier version wrote: the dense rings with counts.
            UserState midway = null;
            long newest = T;
            for (int i = 0; i < 400; i++) {
                if (i == 150) {
                    midway = new UserState();
                    midway.minuteIds = minuteIds.clone();
                    midway.minuteSums = minuteSums.clone();
                    midway.hourIds = hourIds.clone();
                    midway.hourSums = hourSums.clone();
                }
                // Mostly forward in bursts, sometimes hours back (older than the minute ring).
                long t =
                        r.nextInt(10) == 0
                                ? newest - r.nextLong(30 * UserState.HOUR)
                                : newest + r.nextLong(r.nextBoolean() ? 20_000 : 600_000);
                newest = Math.max(newest, t);
                int channel = r.nextInt(C);
                double amount = 1 + r.nextInt(5);
                BucketRing.add(minuteIds, minuteSums, C, UserState.MINUTE, t, channel, amount);
                BucketRing.add(hourIds, hourSums, C, UserState.HOUR, t, channel, amount);
                sparse.add(t, channel, amount);
                restored.add(t, channel, amount);
                if (midway != null) {
                    midway.add(t, channel, amount);
                }
                if (r.nextInt(7) == 0) {
                    sparse.compact();
                    restored.compact();
                    if (midway != null) {
                        midway.compact();
                    }
                }
                // A window ends after every event applied, as a view's does.
                long at = newest + r.nextLong(2 * UserState.HOUR);
                for (int ch = 0; ch < C; ch++) {
                    for (int minutes : new int[] {10, 60}) {
                        double expected =
                                BucketRing.sum(
                                        minuteIds,
                                        minuteSums,
                                        C,
                                        UserState.MINUTE,
                                        at,
                                        ch,
                                        minutes);
                        assertThat(sparse.minutes(at, ch, minutes)).isEqualTo(expected);
                        assertThat(restored.minutes(at, ch, minutes)).isEqualTo(expected);
                        if (midway != null) {
                            assertThat(midway.minutes(at, ch, minutes)).isEqualTo(expected);
                        }
                    }
                    double expected =
                            BucketRing.sum(hourIds, hourSums, C, UserState.HOUR, at, ch, 24);
                    assertThat(sparse.hours(at, ch, 24)).isEqualTo(expected);
                    assertThat(restored.hours(at, ch, 24)).isEqualTo(expected);
                    if (midway != null) {
                        assertThat(midway.hours(at, ch, 24)).isEqualTo(expected);
                    }
                }
            }
            sparse.compact();
            assertThat(sparse.minuteIds.length).isLessThanOrEqualTo(UserState.MINUTE_SLOTS);
            assertThat(sparse.minuteSums).hasSize(sparse.minuteIds.length * C);
            assertThat(sparse.hourIds.length).isLessThanOrEqualTo(UserState.HOUR_SLOTS);
        }
    }

    @Test
    void aCompactedRingHoldsOnlyTheBucketsAWindowCanReach() {
        UserState a = new UserState();
        a.add(T, UserState.VIEWS, 1);
        a.add(T + 30_000, UserState.CLICKS, 1);
        a.add(T + 5 * UserState.MINUTE, UserState.VIEWS, 1);
        a.add(T + 2 * UserState.HOUR + 90_000, UserState.VIEWS, 1);
        assertThat(a.minuteIds).hasSize(3);
        a.compact();
        // The minutes of T are more than an hour behind the newest: no window reaches them.
        assertThat(a.minuteIds)
                .containsExactly(
                        BucketRing.bucketOf(T + 2 * UserState.HOUR + 90_000, UserState.MINUTE));
        assertThat(a.hourIds).hasSize(2);
        assertThat(a.minutes(T + 2 * UserState.HOUR + 90_000, UserState.VIEWS, 60)).isEqualTo(1.0);
        assertThat(a.hours(T + 2 * UserState.HOUR + 90_000, UserState.VIEWS, 24)).isEqualTo(3.0);
    }
}
