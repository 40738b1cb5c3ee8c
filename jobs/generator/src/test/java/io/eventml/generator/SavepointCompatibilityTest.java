package io.eventml.generator;

import io.eventml.common.config.JobArgs;
import io.eventml.common.config.KafkaOptions;
import io.eventml.common.testkit.FlinkTestCluster;
import io.eventml.common.testkit.SavepointCompatibilityContract;
import io.eventml.common.testkit.SavepointFixtures;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.time.Clock;

/**
 * This version of the generator job, as its main class builds it, restores the savepoints of the
 * versions in {@code src/test/resources/savepoints} (see {@link SavepointFixtures}).
 */
class SavepointCompatibilityTest extends SavepointCompatibilityContract {

    @Override
    protected void build(StreamExecutionEnvironment env, String suffix) {
        JobArgs args =
                JobArgs.parse(
                        "generator",
                        SavepointFixtures.args(
                                KAFKA,
                                suffix,
                                "--users",
                                "30",
                                "--items",
                                "20",
                                "--start-time",
                                "2026-12-01T00:00:00Z",
                                // The generator writes all the time, so an exactly-once savepoint
                                // holds a transaction to commit, which a test broker does not know;
                                // the source's position is the state that matters here.
                                "--delivery-guarantee",
                                "at-least-once"));
        GeneratorConfig config = GeneratorConfig.fromArgs(args, Clock.systemUTC());
        KafkaOptions kafka = KafkaOptions.fromArgs(args, "generator");
        args.finish();
        new GeneratorJob(config, GeneratorJob.kafkaSink(kafka)).build(env);
    }

    /** The generator a few seconds into the small world. */
    @Override
    protected JobClient runForAFixture(String suffix) throws Exception {
        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        build(env, suffix);
        JobClient job = env.executeAsync("generator for a savepoint fixture");
        Thread.sleep(3_000);
        return job;
    }
}
