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
 * code, the connectors, Jackson and Flink ML are inside; Flink itself, logging and RocksDB are left
 * to the cluster; no signature files survive the merge. Job modules call it from an integration
 * test that runs after {@code package}.
 */
public final class JobJarCheck {
    private JobJarCheck() {}

    /** Classes every job jar must bundle. */
    static final List<String> BUNDLED =
            List.of(
                    "io/eventml/common/event/CanonicalEvent.class",
                    "io/eventml/common/topic/Topics.class",
                    "org/apache/flink/connector/kafka/sink/KafkaSink.class",
                    "org/apache/flink/connector/kafka/source/KafkaSource.class",
                    "org/apache/flink/connector/base/DeliveryGuarantee.class",
                    "org/apache/kafka/clients/producer/KafkaProducer.class",
                    "com/fasterxml/jackson/databind/ObjectMapper.class",
                    "org/apache/flink/ml/linalg/DenseVector.class",
                    "org/apache/flink/ml/classification/logisticregression/LogisticRegressionModelServable.class",
                    "dev/ludovic/netlib/BLAS.class");

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

    public static void check(Path jar, String mainClass) throws IOException {
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
