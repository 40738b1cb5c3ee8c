package io.eventml.ops;

import io.eventml.common.topic.Topic;
import io.eventml.common.topic.Topics;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** The suite's topics on a broker, as the topic registry defines them. */
public final class SuiteTopics {
    private SuiteTopics() {}

    /** An admin client that gives up after 15 s (a script waits on it). */
    static Admin admin(String bootstrap) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        return Admin.create(props);
    }

    /**
     * Creates every registry topic (its name plus {@code suffix}) that is missing, with its
     * partitions and cleanup policy, and says for each whether it existed.
     */
    public static void createTopics(Admin admin, short replication, String suffix)
            throws Exception {
        Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        List<NewTopic> missing = new ArrayList<>();
        for (Topic<?, ?> t : Topics.all()) {
            String name = t.name() + suffix;
            if (existing.contains(name)) {
                System.out.printf("  %-22s exists%n", name);
            } else {
                missing.add(
                        new NewTopic(name, t.partitions(), replication)
                                .configs(
                                        Map.of("cleanup.policy", t.cleanupPolicy().configValue())));
                System.out.printf(
                        "  %-22s created: %d partition(s), %s%n",
                        name, t.partitions(), t.cleanupPolicy().configValue());
            }
        }
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
    }
}
