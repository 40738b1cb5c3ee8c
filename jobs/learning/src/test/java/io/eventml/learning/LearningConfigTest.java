package io.eventml.learning;

import io.eventml.common.config.JobArgs;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LearningConfigTest {

    private static LearningConfig parse(String... args) {
        JobArgs a = JobArgs.parse("learning", args);
        LearningConfig config = LearningConfig.fromArgs(a);
        a.finish();
        return config;
    }

    @Test
    void defaultsAreAThirtyMinuteHorizonAndAVersionEveryThousandExamplesOrThirtySeconds() {
        LearningConfig c = parse();
        assertThat(c.modelName()).isEqualTo("purchase-30m");
        assertThat(c.horizon()).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.allowedLateness()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.source().idleness()).as("a paused input holds the join back").isZero();
        assertThat(c.ftrl()).isEqualTo(FtrlProximal.defaults());
        assertThat(c.publishEvery()).isEqualTo(1000);
        assertThat(c.publishInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.gate()).isEqualTo(new PromotionGate.Settings(1000, 0.01));
        assertThat(c.feedback()).isEqualTo(LearningConfig.DEFAULT_FEEDBACK);
        assertThat(c.drift()).isEqualTo(new PageHinkley.Settings(0.005, 200, 10_000));
        assertThat(c.featureDrift()).isEqualTo(new FeatureDrift.Settings(0.25, 2_000));
        assertThat(c.kafka().transactionalIdPrefix()).isEqualTo("eventml-learning");
        assertThat(c.source().groupId()).isEqualTo("eventml-learning");
        assertThat(c.source().outOfOrderness()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void everySettingIsAnArgument() {
        LearningConfig c =
                parse(
                        "--model-name", "ctr",
                        "--label-horizon", "1h",
                        "--allowed-lateness", "7m",
                        "--ftrl-alpha", "0.1",
                        "--ftrl-beta", "2",
                        "--ftrl-l1", "0",
                        "--ftrl-l2", "3",
                        "--publish-every", "50",
                        "--publish-interval", "0s",
                        "--gate-examples", "300",
                        "--gate-tolerance", "0",
                        "--feedback", "HORIZON",
                        "--drift-delta", "0.01",
                        "--drift-threshold", "100",
                        "--drift-window", "5000",
                        "--psi-threshold", "0.1",
                        "--psi-window", "500");
        assertThat(c.modelName()).isEqualTo("ctr");
        assertThat(c.horizon()).isEqualTo(Duration.ofHours(1));
        assertThat(c.allowedLateness()).isEqualTo(Duration.ofMinutes(7));
        assertThat(c.ftrl()).isEqualTo(new FtrlProximal(0.1, 2, 0, 3));
        assertThat(c.publishEvery()).isEqualTo(50);
        assertThat(c.publishInterval()).isZero();
        assertThat(c.gate()).isEqualTo(new PromotionGate.Settings(300, 0));
        assertThat(c.feedback()).isEqualTo(Feedback.HORIZON);
        assertThat(c.drift()).isEqualTo(new PageHinkley.Settings(0.01, 100, 5_000));
        assertThat(c.featureDrift()).isEqualTo(new FeatureDrift.Settings(0.1, 500));
        assertThat(parse("--feedback", "immediate").feedback()).isEqualTo(Feedback.IMMEDIATE);
    }

    @Test
    void badArgumentsStopTheJobWithAMessageThatSaysWhatToGive() {
        assertThatThrownBy(() -> parse("--ftrl-alpha", "0"))
                .hasMessageContaining("--ftrl-alpha is '0', expected a number from 1.0E-9");
        assertThatThrownBy(() -> parse("--publish-every", "0"))
                .hasMessageContaining("--publish-every is '0', expected an integer from 1");
        assertThatThrownBy(() -> parse("--gate-tolerance", "1"))
                .hasMessageContaining("--gate-tolerance is '1', expected a number from 0");
        assertThatThrownBy(() -> parse("--label-horizon", "soon"))
                .hasMessageContaining("--label-horizon is 'soon', expected a duration");
        assertThatThrownBy(() -> parse("--feedback", "fast"))
                .hasMessageContaining("--feedback is 'fast', expected one of [horizon, immediate]");
        assertThatThrownBy(() -> parse("--psi-window", "10"))
                .hasMessageContaining("--psi-window is '10', expected an integer from 20");
        assertThatThrownBy(() -> parse("--model-name", "ctr@v2"))
                .hasMessageContaining("must not be blank or contain '@'");
        assertThatThrownBy(() -> parse("--publish-evry", "5"))
                .hasMessageContaining("unknown argument(s) [--publish-evry]");
    }
}
