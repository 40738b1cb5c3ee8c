package io.eventml.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every document in deploy/k8s validates against the CRD schema of the current Strimzi and Flink
 * Kubernetes Operator releases (test resources {@code k8s-crds/}, their source in its README), as
 * the API server validates with {@code kubectl apply --validate=strict}: the apiVersion must be a
 * served version of the CRD, and a field the schema does not declare is an error unless the schema
 * keeps unknown fields ({@code x-kubernetes-preserve-unknown-fields}).
 */
class DeployManifestsSchemaTest {
    private static final Path K8S = Path.of("..", "deploy", "k8s");
    private static final Path CRDS = Path.of("src", "test", "resources", "k8s-crds");
    private static final List<String> RELEASES =
            List.of("strimzi-1.2.0", "flink-kubernetes-operator-1.15.0");

    private static final YAMLMapper YAML = new YAMLMapper();

    @Test
    void everyManifestDocumentIsValidForTheCurrentOperatorReleases() throws IOException {
        Map<String, Schema> schemas = servedSchemas();
        List<String> problems = new ArrayList<>();
        int documents = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(K8S, "*.yaml")) {
            for (Path file : files) {
                for (JsonNode doc : documents(file)) {
                    documents++;
                    problems.addAll(
                            validate(schemas, file.getFileName() + " " + describe(doc), doc));
                }
            }
        }
        assertThat(documents).as("documents in deploy/k8s").isGreaterThanOrEqualTo(17);
        assertThat(problems).as("manifest documents against %s", RELEASES).isEmpty();
    }

    @Test
    void theValidationCatchesAMisspelledFieldAndARemovedApiVersion() throws IOException {
        Map<String, Schema> schemas = servedSchemas();
        JsonNode topic = documents(K8S.resolve("kafka-topics.yaml")).get(0);

        ObjectNode misspelled = (ObjectNode) topic.deepCopy();
        ((ObjectNode) misspelled.get("spec")).put("partitons", 3);
        assertThat(validate(schemas, "misspelled", misspelled))
                .singleElement()
                .asString()
                .contains("partitons");

        ObjectNode old = (ObjectNode) topic.deepCopy();
        old.put("apiVersion", "kafka.strimzi.io/v1beta2");
        assertThat(validate(schemas, "old", old))
                .singleElement()
                .asString()
                .contains("kafka.strimzi.io/v1beta2 KafkaTopic is not a served version");
    }

    private static List<String> validate(Map<String, Schema> schemas, String what, JsonNode doc) {
        String type = doc.path("apiVersion").asText() + " " + doc.path("kind").asText();
        Schema schema = schemas.get(type);
        if (schema == null) {
            return List.of(
                    what
                            + ": "
                            + type
                            + " is not a served version of any CRD in "
                            + RELEASES
                            + " (served: "
                            + schemas.keySet()
                            + ")");
        }
        List<String> problems = new ArrayList<>();
        for (Error error : schema.validate(doc)) {
            problems.add(what + ": " + error.getInstanceLocation() + " " + error.getMessage());
        }
        return problems;
    }

    /** "group/version Kind" of every served version of every CRD, to its schema made strict. */
    private static Map<String, Schema> servedSchemas() throws IOException {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);
        Map<String, Schema> schemas = new TreeMap<>();
        for (String release : RELEASES) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(CRDS.resolve(release))) {
                for (Path file : files) {
                    for (JsonNode crd : documents(file)) {
                        String group = crd.path("spec").path("group").asText();
                        String kind = crd.path("spec").path("names").path("kind").asText();
                        for (JsonNode version : crd.path("spec").path("versions")) {
                            if (!version.path("served").asBoolean()) {
                                continue;
                            }
                            String name = group + "/" + version.path("name").asText();
                            JsonNode schema =
                                    strict(
                                            withImplicitRootFields(
                                                    version.path("schema")
                                                            .path("openAPIV3Schema")
                                                            .deepCopy()));
                            schemas.put(
                                    name + " " + kind,
                                    registry.getSchema(
                                            SchemaLocation.of(
                                                    "https://crd.test/" + name + "/" + kind),
                                            schema));
                        }
                    }
                }
            }
        }
        assertThat(schemas).as("served CRD versions").hasSizeGreaterThanOrEqualTo(4);
        return schemas;
    }

    /**
     * The API server accepts {@code apiVersion}, {@code kind} and {@code metadata} on every
     * resource, declared or not (some CRDs, such as the FlinkDeployment's, leave them out).
     */
    private static JsonNode withImplicitRootFields(JsonNode schema) {
        ObjectNode properties = (ObjectNode) schema.path("properties");
        if (!properties.has("apiVersion")) {
            properties.putObject("apiVersion").put("type", "string");
        }
        if (!properties.has("kind")) {
            properties.putObject("kind").put("type", "string");
        }
        if (!properties.has("metadata")) {
            properties.putObject("metadata").put("type", "object");
        }
        return schema;
    }

    /**
     * Marks every object schema that declares its properties as closed, as the API server's strict
     * field validation treats it, except where the schema keeps unknown fields. Combinators (allOf,
     * anyOf, oneOf, not) only add value checks in a structural schema and are left as they are.
     */
    private static JsonNode strict(JsonNode schema) {
        if (schema instanceof ObjectNode object) {
            if (object.has("properties")
                    && !object.has("additionalProperties")
                    && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
                object.put("additionalProperties", false);
            }
            for (JsonNode property : object.path("properties")) {
                strict(property);
            }
            strict(object.path("items"));
            strict(object.path("additionalProperties"));
        }
        return schema;
    }

    private static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        List<JsonNode> all =
                YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile()).readAll();
        for (JsonNode doc : all) {
            if (doc != null && doc.isObject() && !doc.isEmpty()) {
                docs.add(doc);
            }
        }
        return docs;
    }

    private static String describe(JsonNode doc) {
        return doc.path("kind").asText() + "/" + doc.path("metadata").path("name").asText();
    }
}
