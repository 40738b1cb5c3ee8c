package io.eventml.common.event;

/** The five raw sources. The constant name is the wire value of {@link CanonicalEvent#source()}. */
public enum EventSource {
    CLICKSTREAM,
    ORDERS,
    LOYALTY,
    SOCIAL,
    SENSORS
}
