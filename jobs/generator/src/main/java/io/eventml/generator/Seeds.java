package io.eventml.generator;

import java.util.SplittableRandom;

/**
 * Deterministic random streams: every decision of the simulation draws from a generator seeded by
 * the world's seed and the coordinates of what is being decided, so any part of the stream can be
 * recomputed on its own.
 */
final class Seeds {
    private Seeds() {}

    /** Stream ids, so that different kinds of decision never share a sequence. */
    static final long USER = 1;

    static final long ITEM = 2;
    static final long STORE = 3;
    static final long SESSIONS = 4;
    static final long SESSION = 5;
    static final long NOISE = 6;
    static final long SOCIAL = 7;
    static final long SENSOR = 8;

    static SplittableRandom random(long seed, long stream, long a) {
        return new SplittableRandom(mix(mix(seed, stream), a));
    }

    static SplittableRandom random(long seed, long stream, long a, long b) {
        return new SplittableRandom(mix(mix(mix(seed, stream), a), b));
    }

    /** Combines two longs into a well-spread 64-bit value (the finaliser of MurmurHash3). */
    static long mix(long h, long v) {
        long x = h * 0x9E3779B97F4A7C15L + v;
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        x *= 0xc4ceb9fe1a85ec53L;
        x ^= x >>> 33;
        return x;
    }

    /**
     * A Poisson draw with mean {@code lambda} (Knuth's method; fine for the small means used here).
     */
    static int poisson(SplittableRandom random, double lambda) {
        if (lambda <= 0) {
            return 0;
        }
        if (lambda > 30) {
            // Normal approximation keeps large means cheap.
            double v = lambda + Math.sqrt(lambda) * gaussian(random);
            return (int) Math.max(0, Math.round(v));
        }
        double limit = Math.exp(-lambda);
        double p = 1.0;
        int k = 0;
        do {
            k++;
            p *= random.nextDouble();
        } while (p > limit);
        return k - 1;
    }

    /** A standard normal draw (Box-Muller). */
    static double gaussian(SplittableRandom random) {
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
