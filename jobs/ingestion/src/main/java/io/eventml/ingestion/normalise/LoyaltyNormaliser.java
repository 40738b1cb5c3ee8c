package io.eventml.ingestion.normalise;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.EventSource;
import io.eventml.common.event.EventType;
import io.eventml.common.raw.LoyaltyEvent;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A points change becomes one {@link EventType#LOYALTY_UPDATE}: value is the points delta; tier,
 * balance and reason travel as attributes. The id hashes the content, since the loyalty system
 * sends none.
 */
public final class LoyaltyNormaliser implements Normaliser<LoyaltyEvent> {
    private transient ContentHash hash;

    @Override
    public List<CanonicalEvent> normalise(LoyaltyEvent e, long ingestTime) {
        if (hash == null) {
            hash = new ContentHash();
        }
        Map<String, String> attributes = new HashMap<>(4);
        attributes.put("tier", e.tier().name());
        attributes.put("balance", Long.toString(e.balance()));
        if (e.reason() != null) {
            attributes.put("reason", e.reason());
        }
        String id =
                hash.of(e.memberId(), e.tier(), e.pointsDelta(), e.balance(), e.reason(), e.ts());
        return List.of(
                new CanonicalEvent(
                        CanonicalEvent.SCHEMA_VERSION,
                        "loyalty:" + id,
                        EventType.LOYALTY_UPDATE,
                        EventSource.LOYALTY,
                        e.memberId(),
                        null,
                        null,
                        e.ts(),
                        ingestTime,
                        e.pointsDelta(),
                        0,
                        attributes));
    }
}
