package io.drover.job.shuffle;

import io.drover.job.plan.ShuffleSpec;
import io.drover.job.serde.ByteBuf;
import io.drover.job.serde.Serde;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Comparator;

/** An order on encoded keys: by unsigned bytes, or by decoding them and comparing the values. */
@FunctionalInterface
public interface KeyOrder {

    int compare(byte[] a, int aOff, int aLen, byte[] b, int bOff, int bLen);

    /** Unsigned lexicographic byte order. */
    KeyOrder BYTES = ByteBuf::compare;

    /** The order a shuffle's spec asks for: its comparator on decoded keys, or bytes (maybe reversed). */
    static KeyOrder of(ShuffleSpec spec) {
        if (spec.comparator() != null) {
            return decoded(spec.keySerde(), spec.comparator());
        }
        if (spec.descending()) {
            return (a, ao, al, b, bo, bl) -> ByteBuf.compare(b, bo, bl, a, ao, al);
        }
        return BYTES;
    }

    /** Decodes both keys with {@code serde} and compares them with {@code comparator}. */
    static KeyOrder decoded(Serde<Object> serde, Comparator<Object> comparator) {
        return (a, ao, al, b, bo, bl) -> {
            try {
                return comparator.compare(serde.read(a, ao, al), serde.read(b, bo, bl));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
