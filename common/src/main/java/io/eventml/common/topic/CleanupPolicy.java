package io.eventml.common.topic;

/** Kafka's {@code cleanup.policy} of a topic. */
public enum CleanupPolicy {
    /** Keep records for the retention time. */
    DELETE("delete"),
    /** Keep the newest record per key. */
    COMPACT("compact");

    private final String configValue;

    CleanupPolicy(String configValue) {
        this.configValue = configValue;
    }

    /** The value of Kafka's {@code cleanup.policy} topic config. */
    public String configValue() {
        return configValue;
    }
}
