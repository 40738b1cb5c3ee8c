package io.eventml.common;

import io.eventml.common.topic.Topic;
import io.eventml.common.topic.Topics;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kubernetes deployment in deploy/k8s agrees with the build and the topic registry: one
 * KafkaTopic per registry topic with its partitions and cleanup policy, one FlinkDeployment per job
 * running this build's jar on this build's Flink version, one Flink configuration for all jobs, and
 * no credentials anywhere but in Secrets. docs/deploy.md explains the choices these tests pin.
 */
class DeployManifestsTest {

    private static final Path K8S = Path.of("..", "deploy", "k8s");
    private static final Path ROOT_POM = Path.of("..", "pom.xml");

    /** The job modules and their main classes. */
    private static final Map<String, String> MAIN_CLASSES =
            Map.of(
                    "generator", "io.eventml.generator.GeneratorJob",
                    "ingestion", "io.eventml.ingestion.IngestionJob",
                    "features", "io.eventml.features.FeatureJob",
                    "learning", "io.eventml.learning.LearningJob");

    private static final String KAFKA_CLUSTER = "eventml-kafka";
    private static final String BOOTSTRAP_SERVERS = KAFKA_CLUSTER + "-kafka-bootstrap:9092";
    private static final String OBJECT_STORE_SECRET = "eventml-object-store";
    private static final String PROMETHEUS_REPORTER =
            "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";

    private static final Pattern PROJECT_VERSION =
            Pattern.compile(
                    "<artifactId>eventml-parent</artifactId>\\s*<version>([^<]+)</version>");
    private static final Pattern FLINK_VERSION =
            Pattern.compile("<flink\\.version>([^<]+)</flink\\.version>");
    private static final Pattern JAR_URI =
            Pattern.compile("local:///opt/flink/usrlib/eventml-([a-z]+)-(.+)-job\\.jar");
    private static final Pattern DOCKER_FROM = Pattern.compile("(?m)^FROM\\s+flink:(\\S+)\\s*$");
    private static final Pattern DOCKER_VERSION_ARG =
            Pattern.compile("(?m)^ARG\\s+EVENTML_VERSION=(\\S+)\\s*$");

    /** A setting whose value would be a credential, wherever it sits in a manifest. */
    private static final Pattern CREDENTIAL_SETTING =
            Pattern.compile(
                    "(?i)(access[-_.]?key|secret[-_.]?key|password|passwd|token|credential)");

    /** An environment variable that carries a credential by its name. */
    private static final Pattern CREDENTIAL_ENV =
            Pattern.compile("(?i)(key|secret|password|passwd|token|credential)");

    private static final Pattern ENV_NAME = Pattern.compile("(.*\\.env\\[\\d+\\])\\.name");
    private static final Pattern AWS_ACCESS_KEY_ID =
            Pattern.compile("(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])");

    /** "key: value" in a block mapping; the value is absent when a block follows. */
    private static final Pattern KEY_VALUE = Pattern.compile("([^\\s:\"'#][^:]*?):(?:\\s+(.*))?");

    @Test
    void everyRegistryTopicIsAKafkaTopicWithItsPartitionsAndCleanupPolicy() throws IOException {
        Map<String, String> declared = new TreeMap<>();
        for (Document topic : documentsOfKind("KafkaTopic")) {
            String name = topic.entries().getOrDefault("spec.topicName", topic.name());
            String previous =
                    declared.put(
                            name,
                            topic.get("spec.partitions")
                                    + " partitions, "
                                    + topic.get("spec.config.cleanup.policy"));
            assertThat(previous).as("second KafkaTopic for %s", name).isNull();
            assertThat(topic.get("apiVersion"))
                    .as("apiVersion of %s", name)
                    .isEqualTo("kafka.strimzi.io/v1");
            assertThat(topic.get("metadata.labels.strimzi.io/cluster"))
                    .as("cluster of %s", name)
                    .isEqualTo(KAFKA_CLUSTER);
            assertThat(topic.get("spec.replicas")).as("replicas of %s", name).isEqualTo("3");
        }

        Map<String, String> registry = new TreeMap<>();
        for (Topic<?, ?> topic : Topics.all()) {
            registry.put(
                    topic.name(),
                    topic.partitions() + " partitions, " + topic.cleanupPolicy().configValue());
        }
        assertThat(declared).isEqualTo(registry);
    }

    @Test
    void everyJobRunsTheJarAndFlinkVersionOfThisBuild() throws IOException {
        String pom = Files.readString(ROOT_POM);
        String version = firstGroup(PROJECT_VERSION, pom, "project version in the root pom");
        String flinkVersion = firstGroup(FLINK_VERSION, pom, "flink.version in the root pom");
        String[] majorMinor = flinkVersion.split("\\.");
        String operatorFlinkVersion = "v" + majorMinor[0] + "_" + majorMinor[1];

        Map<String, Document> byJob = new TreeMap<>();
        for (Document deployment : documentsOfKind("FlinkDeployment")) {
            String jarUri = deployment.get("spec.job.jarURI");
            assertThat(jarUri).as("jarURI in %s", deployment.file()).matches(JAR_URI);
            Matcher jar = JAR_URI.matcher(jarUri);
            assertThat(jar.matches()).isTrue();
            assertThat(byJob.put(jar.group(1), deployment))
                    .as("second FlinkDeployment of %s", jar.group(1))
                    .isNull();
            assertThat(jar.group(2)).as("jar version in %s", deployment.file()).isEqualTo(version);
        }
        assertThat(byJob.keySet()).containsExactlyInAnyOrderElementsOf(MAIN_CLASSES.keySet());

        for (Map.Entry<String, Document> job : byJob.entrySet()) {
            Document deployment = job.getValue();
            assertThat(deployment.get("apiVersion")).isEqualTo("flink.apache.org/v1beta1");
            assertThat(deployment.get("spec.job.entryClass"))
                    .as("entryClass in %s", deployment.file())
                    .isEqualTo(MAIN_CLASSES.get(job.getKey()));
            assertThat(deployment.get("spec.flinkVersion"))
                    .as("flinkVersion in %s for Flink %s", deployment.file(), flinkVersion)
                    .isEqualTo(operatorFlinkVersion);
            assertThat(deployment.get("spec.image"))
                    .as("image in %s", deployment.file())
                    .endsWith(":" + version);
        }

        String dockerfile = Files.readString(K8S.resolve("Dockerfile"));
        assertThat(firstGroup(DOCKER_FROM, dockerfile, "FROM flink:<tag> in the Dockerfile"))
                .as("tag of the Flink image for Flink %s", flinkVersion)
                .matches(Pattern.quote(flinkVersion) + "(-.+)?");
        assertThat(firstGroup(DOCKER_VERSION_ARG, dockerfile, "ARG EVENTML_VERSION=<default>"))
                .isEqualTo(version);
        for (String job : MAIN_CLASSES.keySet()) {
            assertThat(dockerfile)
                    .contains(
                            "jobs/"
                                    + job
                                    + "/target/eventml-"
                                    + job
                                    + "-${EVENTML_VERSION}-job.jar /opt/flink/usrlib/");
        }
    }

    @Test
    void theJobsShareOneFlinkConfigurationMadeForSavepointUpgradesAndRescaling()
            throws IOException {
        List<Document> deployments = documentsOfKind("FlinkDeployment");
        assertThat(deployments).hasSize(MAIN_CLASSES.size());
        Map<String, String> config = deployments.get(0).under("spec.flinkConfiguration");
        for (Document deployment : deployments) {
            assertThat(deployment.under("spec.flinkConfiguration"))
                    .as("flinkConfiguration in %s", deployment.file())
                    .isEqualTo(config);
        }

        assertThat(config)
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("execution.checkpointing.incremental", "true")
                .containsEntry("execution.checkpointing.mode", "EXACTLY_ONCE")
                .containsEntry("metrics.reporter.prom.factory.class", PROMETHEUS_REPORTER)
                .containsEntry("metrics.reporter.prom.port", "9249")
                .containsKeys(
                        "execution.checkpointing.interval",
                        "restart-strategy.type",
                        "pipeline.max-parallelism");
        assertThat(config.get("execution.checkpointing.dir")).startsWith("s3://");
        assertThat(config.get("execution.checkpointing.savepoint-dir")).startsWith("s3://");

        int maxParallelism = Integer.parseInt(config.get("pipeline.max-parallelism"));
        for (Document deployment : deployments) {
            assertThat(deployment.get("spec.job.upgradeMode"))
                    .as("upgradeMode in %s", deployment.file())
                    .isEqualTo("savepoint");
            assertThat(Integer.parseInt(deployment.get("spec.job.parallelism")))
                    .as("parallelism in %s", deployment.file())
                    .isBetween(1, maxParallelism);
            // --parallelism would override spec.job.parallelism, and rescaling through the
            // spec would change nothing.
            assertThat(deployment.list("spec.job.args"))
                    .as("args in %s", deployment.file())
                    .doesNotContain("--parallelism");
        }
    }

    @Test
    void theJobsUseTheKafkaClusterOfTheTopicsAndTheObjectStoreSecret() throws IOException {
        for (Document kafka : documentsOfKind("Kafka")) {
            assertThat(kafka.name()).isEqualTo(KAFKA_CLUSTER);
        }
        for (Document deployment : documentsOfKind("FlinkDeployment")) {
            List<String> args = deployment.list("spec.job.args");
            int option = args.indexOf("--bootstrap-servers");
            assertThat(option).as("--bootstrap-servers in %s", deployment.file()).isNotNegative();
            assertThat(args.subList(option + 1, args.size()))
                    .as("args in %s", deployment.file())
                    .startsWith(BOOTSTRAP_SERVERS);

            Map<String, String> fromObjectStore = new TreeMap<>();
            for (Map.Entry<String, String> entry : deployment.entries().entrySet()) {
                Matcher env = ENV_NAME.matcher(entry.getKey());
                String ref = env.matches() ? env.group(1) + ".valueFrom.secretKeyRef" : null;
                if (ref != null && OBJECT_STORE_SECRET.equals(deployment.get(ref + ".name"))) {
                    fromObjectStore.put(entry.getValue(), deployment.get(ref + ".key"));
                }
            }
            assertThat(fromObjectStore)
                    .as("environment from the Secret %s in %s", OBJECT_STORE_SECRET, deployment)
                    .containsOnlyKeys("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
        }
    }

    @Test
    void credentialsComeFromSecretKeyRefsAndNeverFromTheManifests() throws IOException {
        for (Document document : documents()) {
            assertThat(document.kind()).as("kind in %s", document.file()).isNotEqualTo("Secret");
            for (Map.Entry<String, String> entry : document.entries().entrySet()) {
                String path = entry.getKey();
                if (!path.contains(".secretKeyRef.")) {
                    assertThat(path)
                            .as("setting in %s", document.file())
                            .doesNotContainPattern(CREDENTIAL_SETTING);
                }
                Matcher env = ENV_NAME.matcher(path);
                if (env.matches() && CREDENTIAL_ENV.matcher(entry.getValue()).find()) {
                    String variable = env.group(1);
                    assertThat(document.entries())
                            .as("%s in %s", entry.getValue(), document.file())
                            .doesNotContainKey(variable + ".value")
                            .containsKeys(
                                    variable + ".valueFrom.secretKeyRef.name",
                                    variable + ".valueFrom.secretKeyRef.key");
                }
            }
        }
        for (Path file : files("*")) {
            assertThat(Files.readString(file))
                    .as("AWS access key id in %s", file)
                    .doesNotContainPattern(AWS_ACCESS_KEY_ID);
        }
    }

    private static List<Document> documentsOfKind(String kind) throws IOException {
        List<Document> found = new ArrayList<>();
        for (Document document : documents()) {
            if (kind.equals(document.kind())) {
                found.add(document);
            }
        }
        return found;
    }

    /** Every YAML document of every manifest in deploy/k8s. */
    private static List<Document> documents() throws IOException {
        List<Document> documents = new ArrayList<>();
        for (Path file : files("*.yaml")) {
            for (Map<String, String> entries : parseYaml(Files.readString(file))) {
                documents.add(new Document(file.getFileName(), entries));
            }
        }
        assertThat(documents).as("manifests in %s", K8S.toAbsolutePath()).isNotEmpty();
        return documents;
    }

    private static List<Path> files(String glob) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> directory = Files.newDirectoryStream(K8S, glob)) {
            directory.forEach(files::add);
        }
        Collections.sort(files);
        return files;
    }

    private static String firstGroup(Pattern pattern, String text, String what) {
        Matcher m = pattern.matcher(text);
        assertThat(m.find()).as(what).isTrue();
        return m.group(1);
    }

    /**
     * Reads the YAML the manifests are written in, each document flattened to paths such as {@code
     * spec.job.args[0]}: block mappings and sequences, plain and quoted scalars on one line,
     * comments, and "---" between documents. A flow collection such as {} stays its text. Keys that
     * contain dots (Flink and Kafka settings) keep them: {@code
     * spec.flinkConfiguration.state.backend.type}.
     */
    static List<Map<String, String>> parseYaml(String text) {
        List<Map<String, String>> documents = new ArrayList<>();
        for (String chunk : text.split("(?m)^---\\s*$")) {
            Map<String, String> entries = new LinkedHashMap<>();
            Deque<Frame> frames = new ArrayDeque<>();
            Map<String, Integer> itemCounts = new HashMap<>();
            for (String line : chunk.split("\\R")) {
                String content = line.strip();
                if (content.isEmpty() || content.startsWith("#")) {
                    continue;
                }
                int indent = line.length() - line.stripLeading().length();
                while (content.startsWith("- ") || content.equals("-")) {
                    popFrames(frames, indent, true);
                    String parent = frames.isEmpty() ? "" : frames.peek().path();
                    int index = itemCounts.merge(parent, 1, Integer::sum) - 1;
                    frames.push(new Frame(indent, parent + "[" + index + "]", true));
                    content = content.substring(1).strip();
                    indent += 2;
                }
                if (content.isEmpty()) {
                    continue;
                }
                Matcher keyValue = KEY_VALUE.matcher(content);
                if (!keyValue.matches()) {
                    assertThat(frames).as("a scalar outside a sequence: %s", line).isNotEmpty();
                    entries.put(frames.peek().path(), scalar(content));
                    continue;
                }
                popFrames(frames, indent, false);
                String parent = frames.isEmpty() ? "" : frames.peek().path() + ".";
                String path = parent + keyValue.group(1);
                if (keyValue.group(2) == null) {
                    frames.push(new Frame(indent, path, false));
                } else {
                    entries.put(path, scalar(keyValue.group(2)));
                }
            }
            if (!entries.isEmpty()) {
                documents.add(entries);
            }
        }
        return documents;
    }

    /**
     * Leaves the mappings and sequence items that a line at {@code indent} is not inside of. A
     * sequence item may sit at the indent of the key that holds the sequence.
     */
    private static void popFrames(Deque<Frame> frames, int indent, boolean item) {
        while (!frames.isEmpty()
                && (frames.peek().indent() > indent
                        || (frames.peek().indent() == indent && (!item || frames.peek().item())))) {
            frames.pop();
        }
    }

    private static String scalar(String text) {
        String value = text.strip();
        if (value.length() >= 2
                && (value.startsWith("\"") || value.startsWith("'"))
                && value.charAt(value.length() - 1) == value.charAt(0)) {
            return value.substring(1, value.length() - 1);
        }
        int comment = value.indexOf(" #");
        return comment < 0 ? value : value.substring(0, comment).strip();
    }

    /** An open mapping or sequence item while reading YAML. */
    private record Frame(int indent, String path, boolean item) {}

    /** One YAML document of a manifest, flattened. */
    private record Document(Path file, Map<String, String> entries) {

        String kind() {
            return entries.get("kind");
        }

        String name() {
            return entries.get("metadata.name");
        }

        String get(String path) {
            return entries.get(path);
        }

        /** The scalars under {@code prefix}, keyed by the rest of their path. */
        Map<String, String> under(String prefix) {
            Map<String, String> found = new TreeMap<>();
            for (Map.Entry<String, String> entry : entries.entrySet()) {
                if (entry.getKey().startsWith(prefix + ".")) {
                    found.put(entry.getKey().substring(prefix.length() + 1), entry.getValue());
                }
            }
            return found;
        }

        /** The scalar items of the sequence at {@code path}, in order. */
        List<String> list(String path) {
            List<String> items = new ArrayList<>();
            while (entries.containsKey(path + "[" + items.size() + "]")) {
                items.add(entries.get(path + "[" + items.size() + "]"));
            }
            return items;
        }

        @Override
        public String toString() {
            return file + " " + kind() + " " + name();
        }
    }
}
