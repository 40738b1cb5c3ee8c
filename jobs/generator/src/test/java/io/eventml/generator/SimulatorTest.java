package io.eventml.generator;

import io.eventml.common.event.EventSource;
import io.eventml.common.raw.ClickAction;
import io.eventml.common.raw.ClickstreamEvent;
import io.eventml.common.raw.OrderEvent;
import io.eventml.common.raw.OrderLine;
import io.eventml.common.serde.Decoded;
import io.eventml.common.topic.Topics;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SimulatorTest {

    /** Two hours ago, so that every generated time is in the past for the codecs' time bounds. */
    private static final Instant START =
            Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);

    private static final GeneratorConfig.Noise NOISE =
            new GeneratorConfig.Noise(0.05, 0.05, 0.1, Duration.ofSeconds(5), 0.02);

    private static GeneratorConfig config(GeneratorConfig.Noise noise, long ticks) {
        // 20,000 users at 50 records/s: about one session per user and hour, as in a real shop.
        return new GeneratorConfig(7, 20_000, 2_000, 3, 12, 50, true, START, ticks, noise);
    }

    @Test
    void theSameConfigGivesTheSameRecordsByteForByte() {
        List<RawRecord> a = new Simulator(config(NOISE, 3000)).records(0, 3000);
        List<RawRecord> b = new Simulator(config(NOISE, 3000)).records(0, 3000);
        assertThat(a).isNotEmpty().isEqualTo(b);
        List<RawRecord> otherSeed =
                new Simulator(
                                new GeneratorConfig(
                                        8, 20_000, 2_000, 3, 12, 50, true, START, 3000, NOISE))
                        .records(0, 3000);
        assertThat(otherSeed).isNotEqualTo(a);
    }

    @Test
    void shardsTogetherMakeTheWholeWorldEachItsOwnShare() {
        // Without noise, sharding deals the same sessions, posts and readings out, nothing else.
        GeneratorConfig config = config(GeneratorConfig.Noise.NONE, 3000);
        List<String> whole = keys(new Simulator(config).records(0, 3000));
        List<String> sharded = new ArrayList<>();
        for (int shard = 0; shard < 3; shard++) {
            List<String> share = keys(new Simulator(config, shard, 3).records(0, 3000));
            // Each shard gets about a third; sessions and posts are dealt round-robin per tick.
            assertThat(share.size()).isBetween(whole.size() / 4, whole.size() / 2);
            sharded.addAll(share);
        }
        sharded.sort(null);
        assertThat(sharded).isEqualTo(whole);
        // With noise, each shard draws its own noise: still deterministic.
        assertThat(new Simulator(config(NOISE, 3000), 1, 3).records(0, 3000))
                .isEqualTo(new Simulator(config(NOISE, 3000), 1, 3).records(0, 3000));
    }

    private static List<String> keys(List<RawRecord> records) {
        return records.stream()
                .map(
                        r ->
                                r.source()
                                        + " "
                                        + r.key()
                                        + " "
                                        + r.deliveryTime()
                                        + " "
                                        + new String(r.value(), StandardCharsets.UTF_8))
                .sorted()
                .collect(Collectors.toList());
    }

    @Test
    void aBatchDoesNotDependOnWhichBatchesCameBefore() {
        // What a restored or split Flink source relies on: batch(t) alone equals batch(t) after
        // 0..t-1.
        GeneratorConfig config = config(NOISE, 12_000);
        Simulator sequential = new Simulator(config);
        Map<Long, List<RawRecord>> expected = new HashMap<>();
        for (long t = 0; t < 9000; t++) {
            List<RawRecord> batch = sequential.batch(t);
            if (t == 0 || t == 4321 || t == 8999 || t == 8998) {
                expected.put(t, batch);
            }
        }
        for (long t : new long[] {8998, 4321, 0}) {
            Simulator fresh = new Simulator(config);
            assertThat(fresh.batch(t)).as("tick %d", t).isEqualTo(expected.get(t));
        }
        Simulator resumed = new Simulator(config);
        resumed.batch(8998);
        assertThat(resumed.batch(8999)).isEqualTo(expected.get(8999L));
    }

    @Test
    void producesAboutTheConfiguredRateAndEverySource() {
        GeneratorConfig config = config(GeneratorConfig.Noise.NONE, 36_000); // one simulated hour
        List<RawRecord> records = new Simulator(config).records(0, 36_000);
        double perSecond = records.size() / 3600.0;
        assertThat(perSecond)
                .isCloseTo(config.eventsPerSecond(), within(0.15 * config.eventsPerSecond()));
        Map<EventSource, Long> bySource =
                records.stream()
                        .collect(
                                Collectors.groupingBy(
                                        RawRecord::source,
                                        () -> new EnumMap<>(EventSource.class),
                                        Collectors.counting()));
        assertThat(bySource.keySet()).isEqualTo(EnumSet.allOf(EventSource.class));
    }

    @Test
    void wellFormedRecordsDecodeAndAreDeliveredAtTheirEventTime() {
        List<RawRecord> records =
                new Simulator(config(GeneratorConfig.Noise.NONE, 6000)).records(0, 6000);
        for (RawRecord r : records) {
            Decoded<?> decoded = Topics.raw(r.source()).valueCodec().decode(r.value());
            assertThat(decoded.isValid()).as("%s", r).isTrue();
            assertThat(r.deliveryTime()).isEqualTo(r.eventTime());
            assertThat(r.isCorrupted()).isFalse();
            assertThat(r.duplicate()).isFalse();
        }
    }

    @Test
    void corruptedRecordsFailWithTheReasonTheirCorruptionPromises() {
        GeneratorConfig.Noise allBad =
                new GeneratorConfig.Noise(1.0, 0, 0, Duration.ofSeconds(5), 0);
        List<RawRecord> records = new Simulator(config(allBad, 6000)).records(0, 6000);
        Set<Corruption> seen = EnumSet.noneOf(Corruption.class);
        for (RawRecord r : records) {
            Corruption c = Corruption.valueOf(r.corruption());
            seen.add(c);
            Decoded<?> decoded = Topics.raw(r.source()).valueCodec().decode(r.value());
            assertThat(decoded.isValid()).as("%s %s", c, r).isFalse();
            assertThat(decoded.error().reason())
                    .as("%s of %s: %s", c, r.source(), decoded.error().message())
                    .isEqualTo(c.expectedReason(r.source()));
        }
        assertThat(seen).isEqualTo(EnumSet.allOf(Corruption.class));
    }

    @Test
    void noiseComesInTheConfiguredProportionsAndDelaysKeepTheirBound() {
        List<RawRecord> records = new Simulator(config(NOISE, 36_000)).records(0, 36_000);
        List<RawRecord> originals =
                records.stream().filter(r -> !r.duplicate()).collect(Collectors.toList());
        long corrupted = originals.stream().filter(RawRecord::isCorrupted).count();
        long duplicates = records.size() - originals.size();
        long boundMs = NOISE.outOfOrderBound().toMillis();
        long withinBound =
                originals.stream()
                        .filter(
                                r ->
                                        r.deliveryTime() > r.eventTime()
                                                && r.deliveryTime() - r.eventTime() <= boundMs)
                        .count();
        long beyondBound =
                originals.stream().filter(r -> r.deliveryTime() - r.eventTime() > boundMs).count();
        double n = originals.size();
        assertThat(corrupted / n).isCloseTo(NOISE.malformed(), within(0.01));
        assertThat(duplicates / n).isCloseTo(NOISE.duplicates(), within(0.01));
        assertThat(withinBound / n).isCloseTo(NOISE.outOfOrder(), within(0.015));
        assertThat(beyondBound / n).isCloseTo(NOISE.late(), within(0.006));
        assertThat(originals).allMatch(r -> r.deliveryTime() - r.eventTime() <= 2 * boundMs + 1);

        // Duplicates are the same bytes as an original, sent up to two seconds later.
        Map<String, RawRecord> byContent = new HashMap<>();
        for (RawRecord r : originals) {
            if (r.isCorrupted()) {
                continue; // corrupted payloads are not unique ("", "[...]", ...)
            }
            byContent.put(
                    r.source()
                            + new String(r.value(), java.nio.charset.StandardCharsets.ISO_8859_1),
                    r);
        }
        for (RawRecord d : records) {
            if (d.duplicate() && !d.isCorrupted()) {
                RawRecord original =
                        byContent.get(
                                d.source()
                                        + new String(
                                                d.value(),
                                                java.nio.charset.StandardCharsets.ISO_8859_1));
                assertThat(original).as("original of %s", d).isNotNull();
                assertThat(d.deliveryTime() - original.deliveryTime())
                        .isBetween(1L, NoiseModel.DUPLICATE_WITHIN_MS);
            }
        }
    }

    @Test
    void everyProductViewHasTheProbabilityItsUserDecidedWith() {
        GeneratorConfig config = config(GeneratorConfig.Noise.NONE, 3_000);
        Simulator simulator = new Simulator(config);
        Map<String, Double> truth = simulator.viewProbabilities(0, 3_000);
        List<String> views = new ArrayList<>();
        for (RawRecord r : simulator.records(0, 3_000)) {
            if (r.source() == EventSource.CLICKSTREAM) {
                ClickstreamEvent e =
                        (ClickstreamEvent)
                                Topics.RAW_CLICKSTREAM.valueCodec().decode(r.value()).value();
                if (e.action() == ClickAction.PRODUCT_VIEW) {
                    views.add("clickstream:" + e.eventId());
                }
            }
        }
        // Views delivered in these ticks; truth also has those of sessions still running.
        assertThat(views).hasSizeGreaterThan(1_000);
        assertThat(truth.keySet()).containsAll(views);
        assertThat(truth.values()).allSatisfy(p -> assertThat(p).isStrictlyBetween(0.0, 1.0));
        // Asking again, or for a part, gives the same probabilities: they are the records' own.
        assertThat(truth)
                .containsAllEntriesOf(new Simulator(config).viewProbabilities(1_000, 2_000));
    }

    @Test
    void viewsTurnIntoPurchasesAtAPlausibleRateThatTheTrueModelExplains() {
        GeneratorConfig config = config(GeneratorConfig.Noise.NONE, 36_000);
        Simulator simulator = new Simulator(config);
        List<RawRecord> records = simulator.records(0, 36_000);
        List<ClickstreamEvent> views = new ArrayList<>();
        Map<String, List<Long>> purchaseTimes = new HashMap<>(); // user|sku -> times
        for (RawRecord r : records) {
            if (r.source() == EventSource.CLICKSTREAM) {
                ClickstreamEvent e =
                        (ClickstreamEvent)
                                Topics.RAW_CLICKSTREAM.valueCodec().decode(r.value()).value();
                if (e.action() == ClickAction.PRODUCT_VIEW) {
                    views.add(e);
                }
            } else if (r.source() == EventSource.ORDERS) {
                OrderEvent o =
                        (OrderEvent) Topics.RAW_ORDERS.valueCodec().decode(r.value()).value();
                for (OrderLine line : o.lines()) {
                    purchaseTimes
                            .computeIfAbsent(
                                    o.customerId() + "|" + line.sku(), k -> new ArrayList<>())
                            .add(o.createdAt() * 1000);
                }
            }
        }
        long positives = 0;
        long highPositives = 0, high = 0, lowPositives = 0, low = 0;
        RetailWorld world = simulator.world();
        for (ClickstreamEvent v : views) {
            long t = v.timestamp().toEpochMilli();
            boolean positive =
                    purchaseTimes.getOrDefault(v.userId() + "|" + v.itemId(), List.of()).stream()
                            .anyMatch(p -> p >= t - 1000 && p <= t + 30 * 60_000);
            positives += positive ? 1 : 0;
            int u = Integer.parseInt(v.userId().substring(2));
            int item = Integer.parseInt(v.itemId().substring(4));
            double p = world.purchaseProbability(u, item, v.storeId() != null, 1);
            if (p > 0.2) {
                high++;
                highPositives += positive ? 1 : 0;
            } else if (p < 0.05) {
                low++;
                lowPositives += positive ? 1 : 0;
            }
        }
        double rate = positives / (double) views.size();
        assertThat(rate).isBetween(0.03, 0.3);
        // The true model separates: views it rates likely convert several times as often as views
        // it rates unlikely.
        assertThat(high).isGreaterThan(100);
        assertThat(low).isGreaterThan(100);
        assertThat(highPositives / (double) high).isGreaterThan(4 * lowPositives / (double) low);
    }
}
