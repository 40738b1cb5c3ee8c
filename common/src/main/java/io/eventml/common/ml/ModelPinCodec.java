package io.eventml.common.ml;

import io.eventml.common.serde.DecodeException;
import io.eventml.common.serde.JsonCodec;
import io.eventml.common.serde.JsonFields;
import io.eventml.common.serde.JsonLimits;
import io.eventml.common.serde.ReasonCode;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;

/**
 * JSON codec of {@link ModelPin} on {@code ml.model-pins}: {@code pinned} and {@code pinnedAt}, and
 * when pinned the version's fields exactly as on {@code ml.models}. See docs/events.md.
 */
public final class ModelPinCodec extends JsonCodec<ModelPin> {
    private static final long serialVersionUID = 1L;

    public ModelPinCodec() {
        super(JsonLimits.DEFAULT);
    }

    @Override
    protected ModelPin read(JsonFields f) {
        String name = f.requiredId("modelName");
        long at = f.requiredLong("pinnedAt", 0, Long.MAX_VALUE);
        if (!f.requiredBoolean("pinned")) {
            if (f.has("coefficients") || f.has("version")) {
                throw new DecodeException(
                        ReasonCode.INVALID_VALUE,
                        "an unpinning record ('pinned': false) carries no model");
            }
            return ModelPin.unpin(name, at);
        }
        return ModelPin.pin(ModelUpdateCodec.readModel(f), at);
    }

    @Override
    protected void write(ModelPin pin, JsonGenerator out) throws IOException {
        if (pin.pinned()) {
            ModelUpdateCodec.writeModel(pin.model(), out);
        } else {
            out.writeStringField("modelName", pin.modelName());
        }
        out.writeBooleanField("pinned", pin.pinned());
        out.writeNumberField("pinnedAt", pin.at());
    }
}
