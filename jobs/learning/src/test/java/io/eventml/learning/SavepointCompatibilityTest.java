package io.eventml.learning;

import io.eventml.common.config.JobArgs;
import io.eventml.common.testkit.FlinkTestCluster;
import io.eventml.common.testkit.SavepointCompatibilityContract;
import io.eventml.common.testkit.SavepointFixtures;
import io.eventml.common.topic.Topics;
import io.eventml.features.FeatureConfig;
import io.eventml.features.FeatureJob;
import io.eventml.ingestion.SmallWorld;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * This version of the learning job, as its main class builds it with default arguments but a label
 * horizon of a minute, restores the savepoints of the versions in {@code
 * src/test/resources/savepoints} (see {@link SavepointFixtures}): views waiting for their label,
 * purchases, the trainer's model and the scorer's broadcast model included.
 */
class SavepointCompatibilityTest extends SavepointCompatibilityContract {

    @Override
    protected void build(StreamExecutionEnvironment env, String suffix) {
        LearningJob.of(
                        LearningConfig.fromArgs(
                                JobArgs.parse(
                                        "learning",
                                        SavepointFixtures.args(
                                                KAFKA, suffix, "--label-horizon", "1m"))))
                .build(env);
    }

    /**
     * The small world ingested, its features computed and learned from (a minute's horizon:
     * examples, models and predictions); the last views still wait for their label.
     */
    @Override
    protected JobClient runForAFixture(String suffix) throws Exception {
        long canonical = SmallWorld.ingest(KAFKA, suffix);
        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        FeatureJob.of(
                        FeatureConfig.fromArgs(
                                JobArgs.parse(
                                        "features",
                                        SavepointFixtures.args(KAFKA, suffix, "--bounded"))))
                .build(env);
        env.execute("features for a savepoint fixture");
        long vectors = KAFKA.drain(Topics.FEATURES_USER.name() + suffix).size();
        env = FlinkTestCluster.environment();
        build(env, suffix);
        JobClient job = env.executeAsync("learning for a savepoint fixture");
        FlinkTestCluster.awaitRecordsRead(FLINK, job, "Kafka: events.canonical", canonical);
        FlinkTestCluster.awaitRecordsRead(FLINK, job, "Kafka: features.user", vectors);
        return job;
    }
}
