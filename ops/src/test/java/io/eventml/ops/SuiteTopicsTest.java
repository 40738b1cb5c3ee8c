package io.eventml.ops;

import io.eventml.common.testkit.KafkaBrokerExtension;
import io.eventml.common.topic.Topic;
import io.eventml.common.topic.Topics;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code SuiteAdmin create-topics} on a real broker: the registry's topics, as it defines them. */
class SuiteTopicsTest {

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void createsEveryRegistryTopicWithItsPartitionsAndCleanupPolicyAndKeepsExistingOnes()
            throws Exception {
        String suffix = "-" + KafkaBrokerExtension.uniqueSuffix();
        List<String> names =
                Topics.all().stream().map(t -> t.name() + suffix).collect(Collectors.toList());
        try (Admin admin = SuiteTopics.admin(KAFKA.bootstrapServers())) {
            String first = printed(() -> SuiteTopics.createTopics(admin, (short) 1, suffix));
            String second = printed(() -> SuiteTopics.createTopics(admin, (short) 1, suffix));

            Map<String, TopicDescription> described =
                    admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
            List<ConfigResource> resources =
                    names.stream()
                            .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n))
                            .collect(Collectors.toList());
            Map<ConfigResource, Config> configs =
                    admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
            for (Topic<?, ?> t : Topics.all()) {
                String name = t.name() + suffix;
                assertThat(described.get(name).partitions()).as(name).hasSize(t.partitions());
                assertThat(
                                configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name))
                                        .get("cleanup.policy")
                                        .value())
                        .as(name)
                        .isEqualTo(t.cleanupPolicy().configValue());
                assertThat(first).contains(name + " ").contains("created");
                assertThat(second).containsPattern(name.replace(".", "\\.") + " +exists");
            }
            assertThat(second).doesNotContain("created");
        }
    }

    private interface Action {
        void run() throws Exception;
    }

    private static String printed(Action action) throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setOut(out);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
