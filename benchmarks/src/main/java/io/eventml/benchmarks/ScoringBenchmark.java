package io.eventml.benchmarks;

import io.eventml.common.ml.LogisticRegressionModels;

import org.apache.flink.ml.classification.logisticregression.LogisticRegressionModelServable;
import org.apache.flink.ml.linalg.DenseVector;

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

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What the scoring operator does per feature vector: Flink ML's {@code
 * LogisticRegressionModelServable} on a one-row DataFrame ({@code scoreOne}), against the same
 * servable on a batch of 64 rows ({@code scoreBatchOf64}, per batch) and loading a new model
 * version from its bytes ({@code loadModel}). 41 features, ~40 non-zero.
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
public class ScoringBenchmark {
    private static final int FEATURES = 41;
    private static final int VECTORS = 4096;
    private static final int BATCH = 64;

    private byte[] modelData;
    private LogisticRegressionModelServable servable;
    private List<DenseVector> vectors;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(5);
        double[] weights = new double[FEATURES];
        for (int i = 0; i < FEATURES; i++) {
            weights[i] = random.nextGaussian() * 0.3;
        }
        modelData = LogisticRegressionModels.encode(new DenseVector(weights), 1);
        servable = LogisticRegressionModels.servable(modelData);
        DenseVector[] all = new DenseVector[VECTORS];
        for (int k = 0; k < VECTORS; k++) {
            double[] x = new double[FEATURES];
            for (int i = 0; i < FEATURES; i++) {
                x[i] = random.nextDouble() < 0.975 ? random.nextGaussian() : 0;
            }
            all[k] = new DenseVector(x);
        }
        vectors = List.of(all);
    }

    @Benchmark
    public double scoreOne() {
        int k = next;
        next = k + 1 == VECTORS ? 0 : k + 1;
        return LogisticRegressionModels.probabilities(servable, List.of(vectors.get(k)))[0];
    }

    @Benchmark
    public double[] scoreBatchOf64() {
        int k = next;
        next = k + BATCH >= VECTORS ? 0 : k + BATCH;
        return LogisticRegressionModels.probabilities(servable, vectors.subList(k, k + BATCH));
    }

    @Benchmark
    public LogisticRegressionModelServable loadModel() {
        return LogisticRegressionModels.servable(modelData);
    }
}
