package io.eventml.benchmarks;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.serde.Origin;
import io.eventml.features.FeatureConfig;
import io.eventml.features.FeatureJob;
import io.eventml.generator.GeneratorConfig;
import io.eventml.generator.RawRecord;
import io.eventml.generator.Simulator;
import io.eventml.ingestion.Ingested;
import io.eventml.ingestion.RawIngestor;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * End-to-end harness of the feature pipeline on one core: the same job code on RocksDB and on heap
 * state, fed from memory and writing to a discarding sink, so Kafka is not what is measured. Prints
 * events per second.
 *
 * <pre>mvn -q -pl benchmarks exec:exec [-Dbenchmark.minutes=60]</pre>
 */
public final class FeaturePipelineBenchmark {
    private FeaturePipelineBenchmark() {}

    public static void main(String[] args) throws Exception {
        int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        List<CanonicalEvent> events = canonicalEvents(minutes);
        System.out.printf(
                "feature pipeline, parallelism 1, %d canonical events (%d simulated minutes)%n",
                events.size(), minutes);
        for (int round = 0; round < 2; round++) {
            for (String backend : List.of("hashmap", "rocksdb")) {
                long start = System.nanoTime();
                run(events, backend);
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf(
                        "  round %d  %-8s %8.0f events/s  (%.1f s)%n",
                        round + 1, backend, events.size() / seconds, seconds);
            }
        }
    }

    private static void run(List<CanonicalEvent> events, String backend) throws Exception {
        Configuration config = new Configuration();
        config.set(StateBackendOptions.STATE_BACKEND, backend);
        config.set(PipelineOptions.GENERIC_TYPES, false);
        config.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(256));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(1, config);
        env.getConfig().enableObjectReuse();
        var stream =
                env.fromData(
                                events,
                                org.apache.flink.api.common.typeinfo.TypeInformation.of(
                                        CanonicalEvent.class))
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<CanonicalEvent>forBoundedOutOfOrderness(
                                                Duration.ofSeconds(10))
                                        .withTimestampAssigner((e, ts) -> e.eventTime()));
        FeatureJob.pipeline(stream, FeatureConfig.DEFAULT_ALLOWED_LATENESS)
                .vectors()
                .sinkTo(new DiscardingSink<>());
        env.execute("feature pipeline benchmark (" + backend + ")");
    }

    /**
     * The canonical events of a simulated world, as ingestion makes them (noise-free,
     * de-duplicated).
     */
    static List<CanonicalEvent> canonicalEvents(int minutes) {
        GeneratorConfig world =
                new GeneratorConfig(
                        1,
                        50_000,
                        2_000,
                        5,
                        12,
                        200,
                        true,
                        Instant.now().minus(minutes + 60, ChronoUnit.MINUTES),
                        minutes * 600L,
                        GeneratorConfig.Noise.NONE);
        RawIngestor ingestor = RawIngestor.withDefaults();
        List<CanonicalEvent> events = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (RawRecord r : new Simulator(world).records(0, world.ticks())) {
            Ingested in = ingestor.ingest(r.source(), r.value(), Origin.UNKNOWN, 0L);
            for (CanonicalEvent e : in.events()) {
                if (ids.add(e.eventId())) {
                    events.add(e);
                }
            }
        }
        return events;
    }
}
