package io.eventml.generator;

import io.eventml.common.event.EventSource;

/** A well-formed record before noise: its source, Kafka key, encoded value and event time. */
record Draft(EventSource source, String key, byte[] value, long eventTime) {}
