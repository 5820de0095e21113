package io.drover.job.api;

import io.drover.job.api.Fn.PairSliceFunction;
import io.drover.job.api.Fn.SliceFunction;
import io.drover.job.serde.Serde;

/**
 * The slice function of {@link Dataset#readPairSlices}: a {@link PairSliceFunction} with the serdes
 * of its pairs. The runtime hands a shuffle the encoded pairs directly when nothing lies between
 * the read and the shuffle; everywhere else this decodes them into {@link Pair}s.
 */
public final class EncodedPairSlices<K, V> implements SliceFunction<Pair<K, V>> {

    private static final long serialVersionUID = 1L;

    private final PairSliceFunction function;
    private final Serde<K> keySerde;
    private final Serde<V> valueSerde;

    EncodedPairSlices(PairSliceFunction function, Serde<K> keySerde, Serde<V> valueSerde) {
        this.function = function;
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
    }

    public PairSliceFunction function() {
        return function;
    }

    public Serde<K> keySerde() {
        return keySerde;
    }

    public Serde<V> valueSerde() {
        return valueSerde;
    }

    @Override
    public void apply(byte[] buf, int offset, int length, Fn.Emitter<Pair<K, V>> out) throws Exception {
        function.apply(buf, offset, length, (k, ko, kl, v, vo, vl) -> out.emit(new Pair<>(keySerde.read(k, ko, kl),
                valueSerde.read(v, vo, vl))));
    }
}
