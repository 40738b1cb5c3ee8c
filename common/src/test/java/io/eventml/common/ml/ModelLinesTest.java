package io.eventml.common.ml;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A model's lines: keys, and blocks of version numbers per feature spec. */
class ModelLinesTest {

    @Test
    void specOnesLineIsKeyedByTheModelNameAndLaterSpecsByNameAndSpec() {
        assertThat(ModelLines.key("purchase-30m", 1)).isEqualTo("purchase-30m");
        assertThat(ModelLines.key("purchase-30m", 2)).isEqualTo("purchase-30m@spec2");
        assertThat(ModelLines.modelOf("purchase-30m@spec2")).isEqualTo("purchase-30m");
        assertThat(ModelLines.modelOf("purchase-30m")).isEqualTo("purchase-30m");
    }

    @Test
    void eachSpecNumbersItsVersionsInItsOwnBlock() {
        assertThat(ModelLines.versionsAfter(1)).isZero();
        assertThat(ModelLines.versionsAfter(2)).isEqualTo(ModelLines.BLOCK);
        assertThat(ModelLines.specOf(1)).isEqualTo(1);
        assertThat(ModelLines.specOf(ModelLines.BLOCK)).isEqualTo(1);
        assertThat(ModelLines.specOf(ModelLines.BLOCK + 1)).isEqualTo(2);
        assertThat(ModelLines.specOf(ModelLines.versionsAfter(7) + 42)).isEqualTo(7);
    }

    @Test
    void aNameThatCannotBeKeyedIsRefusedWithTheReason() {
        assertThatThrownBy(() -> ModelLines.key("a@b", 1)).hasMessageContaining("'@'");
        assertThatThrownBy(() -> ModelLines.checkName(" ")).hasMessageContaining("blank");
        assertThatThrownBy(() -> ModelLines.key("m", 0))
                .hasMessageContaining("not a feature spec version");
        assertThatThrownBy(() -> ModelLines.specOf(0)).hasMessageContaining("start at 1");
    }
}
