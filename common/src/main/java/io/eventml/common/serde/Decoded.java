package io.eventml.common.serde;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of decoding one record: either a value or a {@link DecodeError}. Decoding never
 * throws into a job; a job routes {@link Invalid} results to the dead-letter topic.
 */
public sealed interface Decoded<T> {

    static <T> Decoded<T> valid(T value) {
        return new Valid<>(value, List.of());
    }

    /** A value whose optional descriptive fields were dropped or cut as {@code repairs} say. */
    static <T> Decoded<T> valid(T value, List<FieldRepair> repairs) {
        return new Valid<>(value, repairs);
    }

    static <T> Decoded<T> invalid(DecodeError error) {
        return new Invalid<>(error);
    }

    static <T> Decoded<T> invalid(ReasonCode reason, String message, Origin origin) {
        return new Invalid<>(new DecodeError(reason, message, origin));
    }

    boolean isValid();

    /**
     * The value; throws {@link IllegalStateException} with the error when this is {@link Invalid}.
     */
    T value();

    /** The error; throws {@link IllegalStateException} when this is {@link Valid}. */
    DecodeError error();

    /** The optional descriptive fields dropped or cut to keep the record; empty for most. */
    List<FieldRepair> repairs();

    /** A decoded value. */
    record Valid<T>(T value, List<FieldRepair> repairs) implements Decoded<T> {
        public Valid {
            Objects.requireNonNull(value, "value");
            repairs = List.copyOf(repairs);
        }

        @Override
        public boolean isValid() {
            return true;
        }

        @Override
        public DecodeError error() {
            throw new IllegalStateException("a valid record has no error");
        }
    }

    /** A record that could not be decoded, and why. */
    record Invalid<T>(DecodeError error) implements Decoded<T> {
        public Invalid {
            Objects.requireNonNull(error, "error");
        }

        @Override
        public boolean isValid() {
            return false;
        }

        @Override
        public T value() {
            throw new IllegalStateException("invalid record: " + error);
        }

        @Override
        public List<FieldRepair> repairs() {
            return List.of();
        }
    }
}
