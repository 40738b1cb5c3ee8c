package io.eventml.benchmarks;

import io.eventml.common.event.EventSource;
import io.eventml.common.serde.Origin;
import io.eventml.generator.GeneratorConfig;
import io.eventml.generator.RawRecord;
import io.eventml.generator.Simulator;
import io.eventml.ingestion.Ingested;
import io.eventml.ingestion.RawIngestor;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Parse + validate + normalise of one raw record, per source, on one thread: what the ingestion
 * job's source does for every record. Payloads come from the generator (well-formed, or 10%
 * corrupted for {@code NOISY}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class IngestBenchmark {

    /** A source's well-formed records, or {@code NOISY}: all sources with 10% corrupted. */
    @Param({"CLICKSTREAM", "ORDERS", "LOYALTY", "SOCIAL", "SENSORS", "NOISY"})
    public String input;

    private RawIngestor ingestor;
    private List<RawRecord> records;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        boolean noisy = input.equals("NOISY");
        GeneratorConfig.Noise noise =
                noisy
                        ? new GeneratorConfig.Noise(0.1, 0, 0, Duration.ZERO, 0)
                        : GeneratorConfig.Noise.NONE;
        GeneratorConfig config =
                new GeneratorConfig(
                        1,
                        50_000,
                        2_000,
                        20,
                        12,
                        2_000,
                        false,
                        Instant.now().minus(3, ChronoUnit.HOURS),
                        36_000,
                        noise);
        records =
                new Simulator(config)
                        .records(0, 6_000).stream()
                                .filter(r -> noisy || r.source() == EventSource.valueOf(input))
                                .limit(20_000)
                                .collect(Collectors.toList());
        if (records.size() < 1_000) {
            throw new IllegalStateException("too few records of " + input + ": " + records.size());
        }
        ingestor = RawIngestor.withDefaults();
    }

    @Benchmark
    public Ingested ingest() {
        RawRecord r = records.get(next);
        next = next + 1 == records.size() ? 0 : next + 1;
        return ingestor.ingest(r.source(), r.value(), Origin.UNKNOWN, 0L);
    }
}
