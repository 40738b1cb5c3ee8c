package io.eventml.benchmarks;

import io.eventml.learning.FtrlProximal;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * FTRL-Proximal on one thread: updates (predict, then learn) and predictions, 41 features with ~40
 * non-zero.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class FtrlBenchmark {
    private static final int FEATURES = 41;
    private static final int EXAMPLES = 4096;

    private final FtrlProximal ftrl = FtrlProximal.defaults();
    private FtrlProximal.State state;
    private double[][] examples;
    private boolean[] labels;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(3);
        state = new FtrlProximal.State(FEATURES);
        examples = new double[EXAMPLES][FEATURES];
        labels = new boolean[EXAMPLES];
        for (int k = 0; k < EXAMPLES; k++) {
            for (int i = 0; i < FEATURES; i++) {
                // About 40 of 41 features non-zero, as in the feature spec's dense vectors.
                examples[k][i] = random.nextDouble() < 0.975 ? random.nextGaussian() : 0;
            }
            labels[k] = random.nextDouble() < 0.12;
        }
    }

    @Benchmark
    public double update() {
        int k = next;
        next = k + 1 == EXAMPLES ? 0 : k + 1;
        return ftrl.learn(state, examples[k], labels[k]);
    }

    @Benchmark
    public double predict() {
        int k = next;
        next = k + 1 == EXAMPLES ? 0 : k + 1;
        return ftrl.predict(state, examples[k]);
    }
}
