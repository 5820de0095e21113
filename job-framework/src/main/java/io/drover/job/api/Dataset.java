package io.drover.job.api;

import io.drover.connectors.Sink;
import io.drover.connectors.Source;
import io.drover.job.api.Fn.PairSliceFunction;
import io.drover.job.api.Fn.PartitionFunction;
import io.drover.job.api.Fn.SerializableFunction;
import io.drover.job.api.Fn.SerializablePredicate;
import io.drover.job.api.Fn.SerializableSupplier;
import io.drover.job.api.Fn.SliceFunction;
import io.drover.job.plan.NarrowOp;
import io.drover.job.plan.Node;
import io.drover.job.plan.ShuffleSpec;
import io.drover.job.plan.StageInput;
import io.drover.job.plan.StageOutput;
import io.drover.job.serde.Serde;
import io.drover.job.serde.Serdes;

/**
 * A partitioned collection of records, described lazily: operations build a graph that runs only
 * when a {@link JobSpec} made by {@link #write}, {@link #count} or {@link #collect} is planned and
 * run. Datasets are immutable; every operation returns a new one.
 *
 * <p>Functions passed in are serialized into the job's plan (see {@link Fn}); they run in tasks,
 * possibly in other processes and more than once (retries), so they must not rely on state of the
 * program that built the job.
 *
 * @param <T> the type of the records
 */
public final class Dataset<T> {

    private final Node node;

    Dataset(Node node) {
        this.node = node;
    }

    /** The logical graph behind this dataset. */
    public Node node() {
        return node;
    }

    /**
     * The records of a connector source, one task per split. The supplier runs where the job is
     * planned (to list splits) and in every task (to open its split).
     */
    public static <T> Dataset<T> read(SerializableSupplier<? extends Source<T>> source) {
        return new Dataset<>(new Node.Read(source, null));
    }

    /**
     * The records of a source that is also a {@link io.drover.connectors.ByteSliceSource}, read as
     * raw byte slices and turned into records by {@code fn} without decoding to strings first: the
     * fast path for text.
     */
    public static <T> Dataset<T> readSlices(SerializableSupplier<? extends Source<?>> source, SliceFunction<T> fn) {
        return new Dataset<>(new Node.Read(source, fn));
    }

    /**
     * Reads a byte-slice source as encoded key-value pairs: {@code fn} emits each pair's key and
     * value already encoded with {@code keySerde} and {@code valueSerde}. When the pairs go straight
     * into a shuffle (reduceByKey, sortByKey, groupByKey with nothing in between), they are combined,
     * partitioned and sorted as bytes and never decoded; otherwise they are decoded into
     * {@link Pair}s as usual.
     */
    public static <K, V> KeyedDataset<K, V> readPairSlices(SerializableSupplier<? extends Source<?>> source,
            PairSliceFunction fn, Serde<K> keySerde, Serde<V> valueSerde) {
        Dataset<Pair<K, V>> pairs = new Dataset<>(new Node.Read(source, new EncodedPairSlices<>(fn, keySerde,
                valueSerde)));
        return new KeyedDataset<>(pairs, keySerde, valueSerde);
    }

    public <R> Dataset<R> map(SerializableFunction<T, R> f) {
        return new Dataset<>(new Node.Narrow(node, NarrowOp.map(f)));
    }

    /** Zero or more records per record; {@code f} may return null for none. */
    public <R> Dataset<R> flatMap(SerializableFunction<T, ? extends Iterable<R>> f) {
        return new Dataset<>(new Node.Narrow(node, NarrowOp.flatMap(f)));
    }

    public Dataset<T> filter(SerializablePredicate<T> p) {
        return new Dataset<>(new Node.Narrow(node, NarrowOp.filter(p)));
    }

    /** A whole partition at once, lazily: {@code f} gets an iterator and returns one. */
    public <R> Dataset<R> mapPartitions(PartitionFunction<T, R> f) {
        return new Dataset<>(new Node.Narrow(node, NarrowOp.mapPartitions(f)));
    }

    /** Keys every record: {@code f} makes the pair, the serdes encode its parts for shuffles. */
    public <K, V> KeyedDataset<K, V> mapToPair(SerializableFunction<T, Pair<K, V>> f, Serde<K> keySerde,
            Serde<V> valueSerde) {
        return new KeyedDataset<>(map(f), keySerde, valueSerde);
    }

    /** The distinct records, compared by their encoding under {@code serde}; a shuffle. */
    @SuppressWarnings("unchecked")
    public Dataset<T> distinct(Serde<T> serde) {
        Dataset<Pair<T, Boolean>> pairs = map(t -> new Pair<>(t, Boolean.TRUE));
        ShuffleSpec spec = new ShuffleSpec((Serde<Object>) serde, (Serde<Object>) (Serde<?>) Serdes.unit(), false,
                null, false, new ShuffleSpec.Combiner(v -> v, (c, v) -> c, (a, b) -> a));
        return new Dataset<>(new Node.Shuffle(pairs.node, spec, StageInput.ReduceMode.DISTINCT_KEYS));
    }

    /** Writes the records through a sink, committed once for the whole job. */
    public JobSpec write(SerializableSupplier<? extends Sink<T>> sink) {
        return new JobSpec(node, new StageOutput.ToSink(sink, false));
    }

    /**
     * Writes {@code byte[]} records as lines through a text sink without decoding them (each must
     * hold no {@code '\n'}); the mirror of {@link #readSlices}.
     */
    public JobSpec writeLines(SerializableSupplier<? extends Sink<String>> textSink) {
        return new JobSpec(node, new StageOutput.ToSink(textSink, true));
    }

    /** Counts the records. */
    public JobSpec count() {
        return new JobSpec(node, new StageOutput.Count());
    }

    /** Brings every record back to the runner, encoded with {@code serde}; for small results. */
    @SuppressWarnings("unchecked")
    public JobSpec collect(Serde<T> serde) {
        return new JobSpec(node, new StageOutput.Collect((Serde<Object>) serde));
    }
}
