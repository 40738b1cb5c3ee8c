package io.eventml.ops;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ops tools' jar, as the local scripts run it ({@code java -cp "<flink lib>/*:<this jar>"}):
 * the tools, the schema they decode (with Flink ML, which the model records need) and the Kafka
 * clients inside; Flink and logging left to the Flink runtime's lib. Runs after {@code package}.
 */
class ToolsJarIT {

    @Test
    void toolsJarBundlesTheToolsAndWhatTheyDecodeButNotFlink() throws Exception {
        Path jar = Path.of(System.getProperty("tools.jar"));
        assertThat(jar).as("the tools jar (run 'mvn package' first)").isRegularFile();
        List<String> entries;
        try (JarFile file = new JarFile(jar.toFile())) {
            entries = Collections.list(file.entries()).stream().map(e -> e.getName()).toList();
        }
        assertThat(entries)
                .contains(
                        "io/eventml/ops/SuiteAdmin.class",
                        "io/eventml/ops/SuiteCheck.class",
                        "io/eventml/common/topic/Topics.class",
                        "io/eventml/common/ml/ModelUpdate.class",
                        "org/apache/flink/ml/linalg/DenseVector.class",
                        "org/apache/kafka/clients/admin/Admin.class",
                        "com/fasterxml/jackson/databind/ObjectMapper.class");
        for (String provided :
                List.of(
                        "org/apache/flink/api/common/",
                        "org/apache/flink/runtime/",
                        "org/apache/logging/",
                        "org/slf4j/")) {
            assertThat(entries)
                    .as("entries under %s", provided)
                    .noneMatch(e -> e.startsWith(provided));
        }
        assertThat(
                        entries.stream()
                                .filter(e -> e.startsWith("io/eventml/") && e.endsWith(".class")))
                .as("no job's code")
                .allMatch(
                        e -> e.startsWith("io/eventml/ops/") || e.startsWith("io/eventml/common/"));
    }
}
