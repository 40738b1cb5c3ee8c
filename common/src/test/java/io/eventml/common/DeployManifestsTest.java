package io.eventml.common;

import io.eventml.common.config.KafkaOptions;
import io.eventml.common.topic.Topic;
import io.eventml.common.topic.Topics;

import org.apache.flink.util.TimeUtils;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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

    private static final YAMLMapper YAML = new YAMLMapper();

    /** Settings that must be equal in flink-conf/config.yaml and every FlinkDeployment. */
    private static final List<String> SHARED_FLINK_SETTINGS =
            List.of(
                    "state.backend.type",
                    "state.backend.rocksdb.use-bloom-filter",
                    "state.backend.rocksdb.memory.partitioned-index-filters",
                    "state.backend.rocksdb.writebuffer.size",
                    "execution.checkpointing.incremental",
                    "execution.checkpointing.mode",
                    "execution.checkpointing.interval",
                    "execution.checkpointing.timeout",
                    "execution.checkpointing.min-pause",
                    "execution.checkpointing.num-retained",
                    "execution.checkpointing.externalized-checkpoint-retention",
                    "execution.checkpointing.tolerable-failed-checkpoints",
                    "web.checkpoints.history",
                    "pipeline.max-parallelism",
                    "pipeline.generic-types",
                    "restart-strategy.type");

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

    /**
     * The settings that decide what a job does (checkpoints, their retention and tolerance, state,
     * key groups, serializers, restarts) are the same on the local cluster and on Kubernetes; only
     * addresses, memory, slots, storage paths, high availability, restart pacing and the metrics
     * port differ. Both files are read with a YAML parser.
     */
    @Test
    void theLocalClusterAndKubernetesShareTheSettingsThatDecideWhatAJobDoes() throws IOException {
        Map<String, String> local =
                parseYaml(Files.readString(Path.of("..", "flink-conf", "config.yaml"))).get(0);
        for (Document deployment : documentsOfKind("FlinkDeployment")) {
            Map<String, String> k8s = deployment.under("spec.flinkConfiguration");
            for (String key : SHARED_FLINK_SETTINGS) {
                assertThat(k8s.get(key))
                        .as("%s in %s and in flink-conf/config.yaml", key, deployment.file())
                        .isNotNull()
                        .isEqualTo(local.get(key));
            }
        }
        assertThat(local)
                .containsEntry("pipeline.generic-types", "false")
                .containsEntry("execution.checkpointing.mode", "EXACTLY_ONCE");
    }

    /**
     * checkpoint timeout < transaction timeout <= the broker's transaction.max.timeout.ms, on
     * Kubernetes and locally: a checkpoint may take its whole timeout before its transactions
     * commit, and the broker refuses a longer transaction timeout (the jobs check it again at start
     * against the real broker).
     */
    @Test
    void checkpointsFinishWithinTheTransactionTimeoutWhichTheBrokerAllows() throws IOException {
        Duration defaultBrokerMax = Duration.ofMinutes(15);
        Document cluster = documentsOfKind("Kafka").get(0);
        String k8sMax = cluster.get("spec.kafka.config.transaction.max.timeout.ms");
        Duration k8sBroker =
                k8sMax == null ? defaultBrokerMax : Duration.ofMillis(Long.parseLong(k8sMax));
        for (Document deployment : documentsOfKind("FlinkDeployment")) {
            Duration checkpointTimeout =
                    TimeUtils.parseDuration(
                            deployment.get(
                                    "spec.flinkConfiguration.execution.checkpointing.timeout"));
            List<String> args = deployment.list("spec.job.args");
            int option = args.indexOf("--transaction-timeout");
            Duration transactionTimeout =
                    option < 0
                            ? KafkaOptions.DEFAULT_TRANSACTION_TIMEOUT
                            : TimeUtils.parseDuration(args.get(option + 1));
            assertThat(checkpointTimeout)
                    .as("checkpoint timeout in %s", deployment.file())
                    .isLessThan(transactionTimeout);
            assertThat(transactionTimeout)
                    .as("transaction timeout in %s", deployment.file())
                    .isLessThanOrEqualTo(k8sBroker);
        }

        Map<String, String> local =
                parseYaml(Files.readString(Path.of("..", "flink-conf", "config.yaml"))).get(0);
        Properties broker = new Properties();
        try (var in =
                Files.newBufferedReader(
                        Path.of("..", "deploy", "local", "kafka", "server.properties"))) {
            broker.load(in);
        }
        String localMax = broker.getProperty("transaction.max.timeout.ms");
        Duration localBroker =
                localMax == null ? defaultBrokerMax : Duration.ofMillis(Long.parseLong(localMax));
        assertThat(TimeUtils.parseDuration(local.get("execution.checkpointing.timeout")))
                .as("local checkpoint timeout")
                .isLessThan(KafkaOptions.DEFAULT_TRANSACTION_TIMEOUT);
        assertThat(KafkaOptions.DEFAULT_TRANSACTION_TIMEOUT)
                .as("local broker")
                .isLessThanOrEqualTo(localBroker);
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
     * Every document of a YAML text (Jackson's YAML module), flattened to paths such as {@code
     * spec.job.args[0]}. Keys that contain dots (Flink and Kafka settings) keep them: {@code
     * spec.flinkConfiguration.state.backend.type}. An empty mapping or sequence is kept as {@code
     * {}} or {@code []}.
     */
    static List<Map<String, String>> parseYaml(String text) throws IOException {
        List<Map<String, String>> documents = new ArrayList<>();
        List<JsonNode> all = YAML.readerFor(JsonNode.class).<JsonNode>readValues(text).readAll();
        for (JsonNode document : all) {
            if (document != null && document.isObject() && !document.isEmpty()) {
                Map<String, String> entries = new LinkedHashMap<>();
                flatten("", document, entries);
                documents.add(entries);
            }
        }
        return documents;
    }

    private static void flatten(String path, JsonNode node, Map<String, String> entries) {
        if (node.isObject() && !node.isEmpty()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                flatten(
                        path.isEmpty() ? field.getKey() : path + "." + field.getKey(),
                        field.getValue(),
                        entries);
            }
        } else if (node.isArray() && !node.isEmpty()) {
            for (int i = 0; i < node.size(); i++) {
                flatten(path + "[" + i + "]", node.get(i), entries);
            }
        } else if (node.isContainerNode()) {
            entries.put(path, node.isObject() ? "{}" : "[]");
        } else {
            entries.put(path, node.asText());
        }
    }

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
