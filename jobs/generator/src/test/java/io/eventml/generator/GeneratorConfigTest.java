package io.eventml.generator;

import io.eventml.common.config.JobArgs;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GeneratorConfigTest {

    private static final Clock CLOCK =
            Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC);

    private static GeneratorConfig parse(String... args) {
        JobArgs a = JobArgs.parse("generator", args);
        GeneratorConfig config = GeneratorConfig.fromArgs(a, CLOCK);
        a.finish();
        return config;
    }

    @Test
    void defaultsAreAnUnendingRealTimeStreamWithALittleNoise() {
        GeneratorConfig c = parse();
        assertThat(c.seed()).isEqualTo(42);
        assertThat(c.users()).isEqualTo(50_000);
        assertThat(c.items()).isEqualTo(2_000);
        assertThat(c.eventsPerSecond()).isEqualTo(200);
        assertThat(c.throttled()).isTrue();
        assertThat(c.ticks()).isEqualTo(Long.MAX_VALUE);
        assertThat(c.startTime()).isEqualTo(CLOCK.instant());
        assertThat(c.noise())
                .isEqualTo(
                        new GeneratorConfig.Noise(0.01, 0.01, 0.05, Duration.ofSeconds(5), 0.001));
    }

    @Test
    void readsEveryArgument() {
        GeneratorConfig c =
                parse(
                        "--seed",
                        "7",
                        "--users",
                        "50",
                        "--items",
                        "40",
                        "--stores",
                        "2",
                        "--rate",
                        "unbounded",
                        "--duration",
                        "10m",
                        "--start-time",
                        "2026-01-01T00:00:00Z",
                        "--malformed",
                        "0.1",
                        "--duplicates",
                        "0.2",
                        "--out-of-order",
                        "0.3",
                        "--out-of-order-bound",
                        "2s",
                        "--late",
                        "0");
        assertThat(c)
                .isEqualTo(
                        new GeneratorConfig(
                                7,
                                50,
                                40,
                                2,
                                12,
                                GeneratorConfig.UNBOUNDED_DENSITY,
                                false,
                                Instant.parse("2026-01-01T00:00:00Z"),
                                6000,
                                new GeneratorConfig.Noise(
                                        0.1, 0.2, 0.3, Duration.ofSeconds(2), 0)));
        assertThat(parse("--events", "1000", "--rate", "100").ticks()).isEqualTo(100);
    }

    @Test
    void theWorldShiftsFromTheGivenSimulatedTimeOnOrNever() {
        assertThat(parse().shiftTick()).isEqualTo(Long.MAX_VALUE);
        assertThat(parse().shifted(1_000_000_000L)).isFalse();
        GeneratorConfig c = parse("--shift-after", "1h");
        assertThat(c.shiftTick()).isEqualTo(36_000);
        assertThat(c.shifted(35_999)).isFalse();
        assertThat(c.shifted(36_000)).isTrue();
        // In-store sessions convert worse than online ones in the shifted world, better before.
        RetailWorld world = new RetailWorld(1, 10, 24, 2, 12);
        assertThat(world.purchaseProbability(3, 5, true, 1, false))
                .isGreaterThan(world.purchaseProbability(3, 5, false, 1, false));
        assertThat(world.purchaseProbability(3, 5, true, 1, true))
                .isLessThan(world.purchaseProbability(3, 5, false, 1, true));
        assertThat(world.purchaseProbability(3, 5, false, 1, true))
                .isBetween(
                        0.4 * world.purchaseProbability(3, 5, false, 1, false),
                        0.6 * world.purchaseProbability(3, 5, false, 1, false));
    }

    @Test
    void badArgumentsSayWhatToFix() {
        assertThatThrownBy(() -> parse("--rate", "fast"))
                .hasMessage(
                        "generator: --rate is 'fast', expected records per second from 1 to 1000000, or 'unbounded'");
        assertThatThrownBy(() -> parse("--malformed", "1.5"))
                .hasMessage("generator: --malformed is '1.5', expected a number from 0.0 to 1.0");
        assertThatThrownBy(() -> parse("--users", "0"))
                .hasMessageContaining("--users is '0', expected an integer from 1");
        assertThatThrownBy(() -> parse("--duration", "soon"))
                .hasMessageContaining("expected a duration such as 500ms");
        assertThatThrownBy(() -> parse("--duration", "1m", "--events", "5"))
                .hasMessage("generator: give either --duration or --events, not both");
        assertThatThrownBy(() -> parse("--out-of-order", "0.7", "--late", "0.5"))
                .hasMessage("generator: out-of-order + late must not exceed 1");
        assertThatThrownBy(() -> parse("--sead", "1"))
                .hasMessageStartingWith("generator: unknown argument(s) [--sead]");
        assertThatThrownBy(() -> parse("seed", "1"))
                .hasMessageContaining("unexpected argument 'seed'");
    }
}
