package io.eventml.generator;

import io.eventml.common.testkit.JobJarCheck;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

/** The shaded jar of this job, as a Flink cluster will load it. Runs after {@code package}. */
class JobJarIT {

    @Test
    void shadedJarRunsOnAFlinkClusterAsIs() throws Exception {
        JobJarCheck.check(
                Path.of(System.getProperty("job.jar")),
                GeneratorJob.class.getName(),
                JobJarCheck.FlinkMl.ABSENT);
    }
}
