package io.eventml.ingestion.normalise;

import io.eventml.common.event.CanonicalEvent;

import java.util.List;

/** Maps one decoded raw record of a source to its canonical events (one, or one per order line). */
public interface Normaliser<T> extends java.io.Serializable {

    /**
     * @param raw a decoded, validated raw record
     * @param ingestTime when ingestion handles it, epoch ms
     */
    List<CanonicalEvent> normalise(T raw, long ingestTime);
}
