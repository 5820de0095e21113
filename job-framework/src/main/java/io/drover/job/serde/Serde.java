package io.drover.job.serde;

import java.io.IOException;
import java.io.Serializable;

/**
 * Turns records into bytes and back, for shuffles and collected results.
 *
 * <p>A serde is part of a job's plan, so it is {@link Serializable} and travels to executors. Its
 * encoding must be deterministic: equal values encode to equal bytes, since the shuffle groups
 * keys by their bytes. The length of an encoding is framed by the caller, so a serde writes no
 * length of its own.
 *
 * @param <T> the type of the values
 */
public interface Serde<T> extends Serializable {

    /** Appends the encoding of {@code value} to {@code out}. */
    void write(T value, ByteBuf out) throws IOException;

    /**
     * Decodes the value written as {@code buf[offset .. offset+length)}; the bytes may be reused
     * after the call, so the value must not keep a reference to {@code buf}.
     */
    T read(byte[] buf, int offset, int length) throws IOException;

    /**
     * Whether the unsigned lexicographic order of the encodings is the natural order of the
     * values, so that sorting by key can compare bytes instead of decoded keys.
     */
    default boolean orderPreserving() {
        return false;
    }
}
