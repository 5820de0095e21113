package io.drover.job.api;

import io.drover.job.api.Fn.SerializableBiFunction;
import io.drover.job.api.Fn.SerializableBinaryOperator;
import io.drover.job.api.Fn.SerializableComparator;
import io.drover.job.api.Fn.SerializableFunction;
import io.drover.job.api.Fn.SerializableLongBinaryOperator;
import io.drover.job.plan.Node;
import io.drover.job.plan.ShuffleSpec;
import io.drover.job.plan.StageInput.ReduceMode;
import io.drover.job.serde.ByteBuf;
import io.drover.job.serde.Serde;
import io.drover.job.serde.Serdes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A dataset of {@link Pair}s with the serdes of its keys and values, which every shuffle needs.
 * Keys are grouped by their encoded bytes: equal keys must encode equally (every built-in and Avro
 * serde does).
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class KeyedDataset<K, V> {

    private final Dataset<Pair<K, V>> pairs;
    private final Serde<K> keySerde;
    private final Serde<V> valueSerde;

    public KeyedDataset(Dataset<Pair<K, V>> pairs, Serde<K> keySerde, Serde<V> valueSerde) {
        this.pairs = pairs;
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
    }

    public Dataset<Pair<K, V>> pairs() {
        return pairs;
    }

    public Serde<K> keySerde() {
        return keySerde;
    }

    public Serde<V> valueSerde() {
        return valueSerde;
    }

    /**
     * Merges the values of each key with {@code f}, which must be associative and commutative: it
     * runs on the map side first (so only one value per key and map task is shuffled), then on
     * the reduce side.
     */
    public KeyedDataset<K, V> reduceByKey(SerializableBinaryOperator<V> f) {
        @SuppressWarnings("unchecked")
        SerializableBinaryOperator<Object> g = (SerializableBinaryOperator<Object>) f;
        ShuffleSpec.Combiner combiner = new ShuffleSpec.Combiner(v -> v, g::apply, g);
        return shuffled(spec(valueSerde, combiner, false, null, false), ReduceMode.COMBINE, valueSerde);
    }

    /**
     * {@link #reduceByKey} for long values encoded by {@link Serdes#longs()}, with the same result;
     * map tasks that read {@link Dataset#readPairSlices encoded pairs} fold primitive longs, never
     * boxing a value.
     *
     * @throws IllegalArgumentException if the values' serde is not {@link Serdes#longs()}
     */
    public KeyedDataset<K, V> reduceLongsByKey(SerializableLongBinaryOperator f) {
        if (!valueSerde.equals(Serdes.longs())) {
            throw new IllegalArgumentException("reduceLongsByKey needs values encoded by Serdes.longs()");
        }
        SerializableBinaryOperator<Object> g = (a, b) -> f.applyAsLong((Long) a, (Long) b);
        ShuffleSpec.Combiner combiner = new ShuffleSpec.Combiner(v -> v, g::apply, g, f);
        return shuffled(spec(valueSerde, combiner, false, null, false), ReduceMode.COMBINE, valueSerde);
    }

    /**
     * Aggregates the values of each key into a {@code U}: each map task folds its values into a
     * copy of {@code zero} with {@code seq}, and the reduce side merges those with {@code comb}.
     * The zero is copied through {@code aggregateSerde}, so it may be mutable.
     */
    public <U> KeyedDataset<K, U> aggregateByKey(U zero, Serde<U> aggregateSerde, SerializableBiFunction<U, V, U> seq,
            SerializableBinaryOperator<U> comb) {
        byte[] zeroBytes = encode(aggregateSerde, zero);
        @SuppressWarnings("unchecked")
        SerializableBiFunction<Object, Object, Object> s = (SerializableBiFunction<Object, Object, Object>) seq;
        @SuppressWarnings("unchecked")
        SerializableBinaryOperator<Object> c = (SerializableBinaryOperator<Object>) comb;
        ShuffleSpec.Combiner combiner = new ShuffleSpec.Combiner(
                v -> s.apply(decode(aggregateSerde, zeroBytes), v), s, c);
        return shuffled(spec(aggregateSerde, combiner, false, null, false), ReduceMode.COMBINE, aggregateSerde);
    }

    /** All values of each key in one list (the whole list of a key is held in memory). */
    public KeyedDataset<K, List<V>> groupByKey() {
        return shuffled(spec(valueSerde, null, false, null, false), ReduceMode.GROUP, Serdes.list(valueSerde));
    }

    /**
     * The inner join with {@code other} on equal keys: one {@code Pair(key, Pair(v, w))} per
     * matching pair of values. Both sides are hash-partitioned alike.
     */
    @SuppressWarnings("unchecked")
    public <W> KeyedDataset<K, Pair<V, W>> join(KeyedDataset<K, W> other) {
        ShuffleSpec left = spec(valueSerde, null, false, null, false);
        ShuffleSpec right = new ShuffleSpec((Serde<Object>) keySerde, (Serde<Object>) other.valueSerde, false, null,
                false, null);
        Node node = new Node.CoGroup(pairs.node(), left, other.pairs.node(), right);
        return new KeyedDataset<>(new Dataset<>(node), keySerde, Serdes.pair(valueSerde, other.valueSerde));
    }

    /**
     * Sorts by key in natural order: range-partitioned by bounds from a sample of the keys, then
     * sorted within each partition, so the partitions in order hold the keys in order. Compares
     * encoded bytes when the key serde preserves order, decoded keys (which must be
     * {@link Comparable}) otherwise.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public KeyedDataset<K, V> sortByKey(boolean ascending) {
        if (keySerde.orderPreserving()) {
            return shuffled(spec(valueSerde, null, true, null, !ascending), ReduceMode.SORTED, valueSerde);
        }
        SerializableComparator<Object> natural = (a, b) -> ((Comparable) a).compareTo(b);
        SerializableComparator<Object> order = ascending ? natural : (a, b) -> natural.compare(b, a);
        return shuffled(spec(valueSerde, null, true, order, false), ReduceMode.SORTED, valueSerde);
    }

    /** Sorts by key in the order of {@code comparator}, as {@link #sortByKey(boolean)}. */
    @SuppressWarnings("unchecked")
    public KeyedDataset<K, V> sortByKey(SerializableComparator<K> comparator) {
        return shuffled(spec(valueSerde, null, true, (SerializableComparator<Object>) comparator, false),
                ReduceMode.SORTED, valueSerde);
    }

    public <U> KeyedDataset<K, U> mapValues(SerializableFunction<V, U> f, Serde<U> serde) {
        return new KeyedDataset<>(pairs.map(p -> new Pair<>(p.key(), f.apply(p.value()))), keySerde, serde);
    }

    public Dataset<K> keys() {
        return pairs.map(Pair::key);
    }

    public Dataset<V> values() {
        return pairs.map(Pair::value);
    }

    /** Counts the pairs. */
    public JobSpec count() {
        return pairs.count();
    }

    /** Brings every pair back to the runner. */
    public JobSpec collect() {
        return pairs.collect(Serdes.pair(keySerde, valueSerde));
    }

    @SuppressWarnings("unchecked")
    private ShuffleSpec spec(Serde<?> shuffledValues, ShuffleSpec.Combiner combiner, boolean range,
            SerializableComparator<Object> comparator, boolean descending) {
        return new ShuffleSpec((Serde<Object>) keySerde, (Serde<Object>) shuffledValues, range, comparator, descending,
                combiner);
    }

    private <U> KeyedDataset<K, U> shuffled(ShuffleSpec spec, ReduceMode mode, Serde<U> resultValues) {
        return new KeyedDataset<>(new Dataset<>(new Node.Shuffle(pairs.node(), spec, mode)), keySerde, resultValues);
    }

    private static <U> byte[] encode(Serde<U> serde, U value) {
        ByteBuf b = new ByteBuf(64);
        try {
            serde.write(value, b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    private static <U> U decode(Serde<U> serde, byte[] bytes) {
        try {
            return serde.read(bytes, 0, bytes.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
