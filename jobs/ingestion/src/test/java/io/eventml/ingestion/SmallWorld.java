package io.eventml.ingestion;

import io.eventml.common.config.JobArgs;
import io.eventml.common.testkit.FlinkTestCluster;
import io.eventml.common.testkit.KafkaBrokerExtension;
import io.eventml.common.testkit.SavepointFixtures;
import io.eventml.common.topic.Topics;
import io.eventml.generator.GeneratorConfig;
import io.eventml.generator.RawRecord;
import io.eventml.generator.Simulator;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.time.Clock;
import java.util.List;

/**
 * The small world of the savepoint fixtures ({@link SavepointFixtures#SMALL_WORLD}) on a test
 * broker: its raw records, and those records ingested. Exported in this module's test-jar for the
 * fixtures of the jobs downstream.
 */
public final class SmallWorld {
    private SmallWorld() {}

    /** Writes the small world's raw records onto the raw topics of {@code config}; returns them. */
    public static List<RawRecord> produce(KafkaBrokerExtension kafka, IngestionConfig config) {
        GeneratorConfig world =
                GeneratorConfig.fromArgs(
                        JobArgs.parse(
                                "generator", SavepointFixtures.SMALL_WORLD.toArray(new String[0])),
                        Clock.systemUTC());
        List<RawRecord> raw = new Simulator(world).records(0, world.ticks());
        kafka.produce(raw.stream().map(r -> r.toProducerRecord(config.kafka())).toList());
        return raw;
    }

    /**
     * The small world's raw records ingested by a bounded run of the ingestion job (default
     * arguments) onto the topics of {@code suffix}; returns the number of canonical records.
     */
    public static long ingest(KafkaBrokerExtension kafka, String suffix) throws Exception {
        IngestionConfig config =
                IngestionConfig.fromArgs(
                        JobArgs.parse(
                                "ingestion", SavepointFixtures.args(kafka, suffix, "--bounded")));
        produce(kafka, config);
        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        IngestionJob.of(config).build(env);
        env.execute("ingestion of the small world");
        return kafka.drain(config.kafka().topic(Topics.EVENTS_CANONICAL)).size();
    }
}
