package io.eventml.ingestion;

import io.eventml.common.config.JobArgs;
import io.eventml.common.config.JobSetup;
import io.eventml.common.config.KafkaOptions;
import io.eventml.common.event.DeadLetter;
import io.eventml.common.serde.JsonLimits;
import io.eventml.common.serde.TimeBounds;

import java.io.Serializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Settings of the ingestion job, from its arguments (see docs/ingestion.md).
 *
 * @param kafka brokers, transactional id prefix, delivery guarantee, topic suffix
 * @param groupId consumer group of the raw topics (offsets are committed on checkpoints, for
 *     monitoring)
 * @param startingOffsets where to start without a savepoint: earliest, latest or committed
 * @param bounded stop at the end offsets found at start (tests and backfills) instead of running
 *     forever
 * @param parallelism job parallelism, or -1 for the cluster default
 * @param checkpointInterval checkpoint interval, or {@code null} to keep the cluster's (10 s if it
 *     has none)
 * @param dedupTtl how long an eventId is remembered for de-duplication
 * @param outOfOrderness bound of the watermarks
 * @param idleness after how long without records a partition stops holding back the watermark
 * @param limits read limits of raw records
 * @param timeBounds plausible event times
 * @param deadLetterPayloadBytes how much of a rejected payload a dead letter keeps
 */
public record IngestionConfig(
        KafkaOptions kafka,
        String groupId,
        String startingOffsets,
        boolean bounded,
        int parallelism,
        Duration checkpointInterval,
        Duration dedupTtl,
        Duration outOfOrderness,
        Duration idleness,
        JsonLimits limits,
        TimeBounds timeBounds,
        int deadLetterPayloadBytes)
        implements Serializable {

    public static IngestionConfig fromArgs(JobArgs args) {
        KafkaOptions kafka = KafkaOptions.fromArgs(args, "ingestion");
        String groupId =
                args.string("group-id", "eventml-ingestion", "consumer group of the raw topics");
        String starting =
                args.choice(
                        "starting-offsets",
                        "earliest",
                        JobSetup.STARTING_OFFSETS,
                        "where to start without a savepoint");
        boolean bounded = args.flag("bounded", false, "stop at the end offsets found at start");
        int parallelism =
                args.intValue(
                        "parallelism", -1, -1, 32_768, "job parallelism (-1: cluster default)");
        if (parallelism == 0) {
            throw new JobArgs.InvalidArgumentsException(
                    "ingestion: --parallelism is '0', expected -1 or at least 1");
        }
        Duration checkpointInterval =
                args.duration(
                        "checkpoint-interval", null, Duration.ofMillis(100), "checkpoint interval");
        Duration dedupTtl =
                args.duration(
                        "dedup-ttl",
                        Duration.ofHours(24),
                        Duration.ofSeconds(1),
                        "how long eventIds are remembered");
        Duration outOfOrderness =
                args.duration(
                        "out-of-orderness",
                        Duration.ofSeconds(5),
                        Duration.ZERO,
                        "watermark bound");
        Duration idleness =
                args.duration(
                        "idleness",
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(1),
                        "idle partition timeout");
        int maxRecordBytes =
                args.intValue(
                        "max-record-bytes",
                        JsonLimits.DEFAULT.maxPayloadBytes(),
                        1024,
                        16 * 1024 * 1024,
                        "largest raw record accepted");
        Duration maxAhead =
                args.duration(
                        "max-event-time-ahead",
                        Duration.ofDays(1),
                        Duration.ZERO,
                        "how far in the future an event time may be");
        Instant earliest =
                args.instant(
                        "earliest-event-time",
                        TimeBounds.DEFAULT.earliest(),
                        "the earliest plausible event time");
        int deadLetterPayloadBytes =
                args.intValue(
                        "dlq-payload-bytes",
                        DeadLetter.DEFAULT_MAX_PAYLOAD_BYTES,
                        0,
                        1024 * 1024,
                        "bytes of a rejected payload kept in its dead letter");
        JsonLimits d = JsonLimits.DEFAULT;
        return new IngestionConfig(
                kafka,
                groupId,
                starting,
                bounded,
                parallelism,
                checkpointInterval,
                dedupTtl,
                outOfOrderness,
                idleness,
                new JsonLimits(
                        maxRecordBytes,
                        d.maxNestingDepth(),
                        Math.min(d.maxStringLength(), maxRecordBytes),
                        d.maxNumberLength(),
                        d.maxNameLength()),
                new TimeBounds(earliest, maxAhead, Clock.systemUTC()),
                deadLetterPayloadBytes);
    }
}
