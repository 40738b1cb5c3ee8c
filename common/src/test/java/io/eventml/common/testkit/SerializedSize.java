package io.eventml.common.testkit;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.IOException;

/** The bytes a value takes in Flink state: its type's serializer, generic (Kryo) types off. */
public final class SerializedSize {
    private SerializedSize() {}

    public static <T> int of(Class<T> type, T value) throws IOException {
        SerializerConfigImpl noKryo = new SerializerConfigImpl();
        noKryo.setGenericTypes(false);
        TypeSerializer<T> serializer = TypeInformation.of(type).createSerializer(noKryo);
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        return out.length();
    }
}
