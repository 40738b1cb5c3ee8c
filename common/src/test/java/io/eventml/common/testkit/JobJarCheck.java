package io.eventml.common.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks a job's shaded jar as a Flink cluster will see it: the manifest names the main class; our
 * code, the connectors and Jackson are inside, Flink ML (and its BLAS) only in the jobs that use
 * it; Flink itself, logging and RocksDB are left to the cluster, the ops tools to their own jar; no
 * signature files survive the merge. Job modules call it from an integration test that runs after
 * {@code package}.
 */
public final class JobJarCheck {
    private JobJarCheck() {}

    /** Whether a job uses Flink ML (its feature vectors or models) and so must bundle it. */
    public enum FlinkMl {
        BUNDLED,
        ABSENT
    }

    /** Classes every job jar must bundle. */
    static final List<String> BUNDLED =
            List.of(
                    "io/eventml/common/event/CanonicalEvent.class",
                    "io/eventml/common/topic/Topics.class",
                    "org/apache/flink/connector/kafka/sink/KafkaSink.class",
                    "org/apache/flink/connector/kafka/source/KafkaSource.class",
                    "org/apache/flink/connector/base/DeliveryGuarantee.class",
                    "org/apache/kafka/clients/producer/KafkaProducer.class",
                    "com/fasterxml/jackson/databind/ObjectMapper.class");

    /** Classes of Flink ML and what it needs, in the jars of the jobs that use it and no other. */
    static final List<String> FLINK_ML_CLASSES =
            List.of(
                    "org/apache/flink/ml/linalg/DenseVector.class",
                    "org/apache/flink/ml/classification/logisticregression/LogisticRegressionModelServable.class",
                    "dev/ludovic/netlib/BLAS.class");

    /** Path prefixes of Flink ML and its dependencies. */
    static final List<String> FLINK_ML_PREFIXES =
            List.of("org/apache/flink/ml/", "dev/ludovic/netlib/");

    /** Path prefixes of the ops tools, which have their own jar. */
    static final List<String> OPS_TOOLS = List.of("io/eventml/ops/", "io/eventml/common/ops/");

    /** Path prefixes the cluster provides and a job jar must not carry. */
    static final List<String> PROVIDED =
            List.of(
                    "org/apache/flink/api/common/",
                    "org/apache/flink/streaming/api/environment/",
                    "org/apache/flink/runtime/",
                    "org/apache/flink/state/rocksdb/",
                    "org/rocksdb/",
                    "org/apache/logging/",
                    "org/slf4j/");

    public static void check(Path jar, String mainClass, FlinkMl flinkMl) throws IOException {
        assertThat(jar).as("shaded job jar (run 'mvn package' first)").isRegularFile();
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.getManifest().getMainAttributes().getValue("Main-Class"))
                    .as("Main-Class of %s", jar.getFileName())
                    .isEqualTo(mainClass);
            List<String> entries =
                    Collections.list(file.entries()).stream()
                            .map(e -> e.getName())
                            .collect(Collectors.toList());
            assertThat(entries).contains(mainClass.replace('.', '/') + ".class");
            assertThat(entries).containsAll(BUNDLED);
            if (flinkMl == FlinkMl.BUNDLED) {
                assertThat(entries).containsAll(FLINK_ML_CLASSES);
            } else {
                for (String prefix : FLINK_ML_PREFIXES) {
                    assertThat(entries)
                            .as("entries under %s (this job does not use Flink ML)", prefix)
                            .noneMatch(e -> e.startsWith(prefix));
                }
            }
            for (String prefix : OPS_TOOLS) {
                assertThat(entries)
                        .as("entries under %s (the ops tools have their own jar)", prefix)
                        .noneMatch(e -> e.startsWith(prefix));
            }
            for (String prefix : PROVIDED) {
                assertThat(entries)
                        .as("entries under %s", prefix)
                        .noneMatch(e -> e.startsWith(prefix));
            }
            assertThat(entries)
                    .as("signature files")
                    .noneMatch(e -> e.matches("META-INF/[^/]+\\.(SF|DSA|RSA)"));
        }
        assertThat(Files.size(jar)).isGreaterThan(1_000_000L);
    }
}
