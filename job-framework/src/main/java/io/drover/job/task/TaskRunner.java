package io.drover.job.task;

import io.drover.connectors.JobCommitter;
import io.drover.connectors.Writer;
import io.drover.connectors.text.TextLineWriter;
import io.drover.connectors.ByteSliceReader;
import io.drover.job.api.EncodedPairSlices;
import io.drover.job.api.Fn.PairEmitter;
import io.drover.job.api.Fn.PairSliceFunction;
import io.drover.job.api.Pair;
import io.drover.job.api.TaskContext;
import io.drover.job.plan.JobPlan;
import io.drover.job.plan.NarrowOp;
import io.drover.job.plan.ShuffleSpec;
import io.drover.job.plan.StageInput;
import io.drover.job.plan.StageOutput;
import io.drover.job.plan.StagePlan;
import io.drover.job.serde.ByteBuf;
import io.drover.job.serde.Serde;
import io.drover.job.serde.Serdes;
import io.drover.job.shuffle.BytesCombiner;
import io.drover.job.shuffle.KeyOrder;
import io.drover.job.shuffle.MapOutputWriter;
import io.drover.job.shuffle.ShuffleConfig;
import io.drover.job.shuffle.ShuffleFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * Runs one task attempt of a plan, wherever it runs: reads the task's input (a split, or its
 * partition of the parent shuffles through the {@link io.drover.job.shuffle.ShuffleFetcher}),
 * applies the stage's narrow operations, and writes the output: partitioned map output under the
 * work directory (published under the attempt's own name, see {@link ShuffleFiles}), or the sink
 * through the job's committer (this attempt's writer, then {@code commitTask}; aborted on failure).
 *
 * <p>This is the executor's entry point: it needs nothing but the plan, the task's coordinates and
 * a {@link TaskEnv}. A task that fails leaves no visible output: map output files appear only
 * complete, and sink output only through a committed attempt.
 */
public final class TaskRunner {

    private TaskRunner() {}

    /**
     * Runs one attempt.
     *
     * @throws TaskFailedException naming the job, stage, task and attempt, with the cause
     */
    public static TaskResult run(JobPlan plan, int stageId, int partition, int attempt, TaskEnv env)
            throws TaskFailedException {
        StagePlan stage = plan.stage(stageId);
        if (partition < 0 || partition >= stage.partitions()) {
            throw new IllegalArgumentException("stage " + stageId + " has no partition " + partition);
        }
        try (TaskContext.Scope scope = TaskContext.enter(new TaskContext(plan.name(), stageId, partition, attempt))) {
            EncodedPairSlices<?, ?> pairs = directPairs(stage);
            if (pairs != null) {
                try (ByteSliceReader reader = TaskInputs.openSlices((StageInput.FromSource) stage.input(), partition)) {
                    return writeDirect(plan, stage, partition, attempt, pairs, reader, env);
                }
            }
            TaskInputs.Input input = TaskInputs.open(plan, stage, partition, attempt, env);
            try {
                Iterator<Object> records = input.records();
                for (NarrowOp op : stage.ops()) {
                    records = op.fn().apply(records);
                }
                return write(plan, stage, partition, attempt, records, env);
            } finally {
                input.resources().close();
            }
        } catch (Exception | Error e) {
            throw new TaskFailedException(plan.name(), stageId, stage.description(), partition, attempt, e);
        }
    }

    private static TaskResult write(JobPlan plan, StagePlan stage, int partition, int attempt,
            Iterator<Object> records, TaskEnv env) throws Exception {
        StageOutput out = stage.output();
        if (out instanceof StageOutput.ToSink sink) {
            return writeSink(stage, partition, attempt, records, env, sink);
        }
        Path spillDir = ShuffleFiles.spillDir(env.workDir(), stage.id(), partition, attempt);
        ByteBuf k = new ByteBuf();
        ByteBuf v = new ByteBuf();
        long n = 0;
        MapOutputWriter writer;
        if (out instanceof StageOutput.Shuffle shuffle) {
            ShuffleSpec spec = shuffle.spec();
            Partitioner partitioner = Partitioner.of(plan, shuffle, env.fetcher());
            writer = new MapOutputWriter(shuffle.reducePartitions(), KeyOrder.of(spec), env.shuffle(), spillDir);
            try (writer) {
                if (spec.combiner() != null) {
                    n = combineInto(records, spec, partitioner, writer, env.shuffle());
                } else {
                    while (records.hasNext()) {
                        Pair<?, ?> p = (Pair<?, ?>) records.next();
                        k.reset();
                        v.reset();
                        spec.keySerde().write(p.key(), k);
                        spec.valueSerde().write(p.value(), v);
                        writer.add(partitioner.partition(k.array(), 0, k.size()), k.array(), 0, k.size(), v.array(),
                                0, v.size());
                        n++;
                    }
                }
                return commit(stage, partition, attempt, env, writer, n);
            }
        }
        writer = new MapOutputWriter(1, null, env.shuffle(), spillDir);
        try (writer) {
            if (out instanceof StageOutput.Collect collect) {
                while (records.hasNext()) {
                    v.reset();
                    collect.serde().write(records.next(), v);
                    writer.add(0, v.array(), 0, 0, v.array(), 0, v.size());
                    n++;
                }
            } else if (out instanceof StageOutput.Count) {
                while (records.hasNext()) {
                    records.next();
                    n++;
                }
                v.writeLong(n);
                writer.add(0, v.array(), 0, 0, v.array(), 0, v.size());
            } else {
                StageOutput.Sample sample = (StageOutput.Sample) out;
                for (byte[] key : sample(records, sample, stage.id(), partition)) {
                    writer.add(0, key, 0, key.length, key, 0, 0);
                    n++;
                }
            }
            return commit(stage, partition, attempt, env, writer, n);
        }
    }

    private static TaskResult commit(StagePlan stage, int partition, int attempt, TaskEnv env, MapOutputWriter writer,
            long n) throws IOException {
        long bytes = writer.commit(ShuffleFiles.data(env.workDir(), stage.id(), partition, attempt),
                ShuffleFiles.index(env.workDir(), stage.id(), partition, attempt));
        return new TaskResult(stage.id(), partition, attempt, n, bytes, writer.spills(), true);
    }

    /** Values folded by encoded key in a bounded table, drained into the writer whenever it fills. */
    private static long combineInto(Iterator<Object> records, ShuffleSpec spec, Partitioner partitioner,
            MapOutputWriter writer, ShuffleConfig config) throws IOException {
        BytesCombiner combined = newCombiner(spec, config);
        BytesCombiner.Sink drain = drainInto(spec.valueSerde(), partitioner, writer);
        ByteBuf k = new ByteBuf();
        long in = 0;
        while (records.hasNext()) {
            Pair<?, ?> p = (Pair<?, ?>) records.next();
            k.reset();
            spec.keySerde().write(p.key(), k);
            if (combined.add(k.array(), 0, k.size(), p.value())) {
                combined.drain(drain);
            }
            in++;
        }
        combined.drain(drain);
        return in;
    }

    private static BytesCombiner newCombiner(ShuffleSpec spec, ShuffleConfig config) {
        ShuffleSpec.Combiner c = spec.combiner();
        return new BytesCombiner(config.combineMaxKeys(), maxKeyBytes(config), c.create(), c.mergeValue());
    }

    /** Keys take at most half the sort buffer's worth of memory; the drained entries go into the buffer. */
    private static int maxKeyBytes(ShuffleConfig config) {
        return (int) Math.max(1024, Math.min(Integer.MAX_VALUE - 16, config.bufferBytes() / 2));
    }

    private static BytesCombiner.Sink drainInto(Serde<Object> values, Partitioner partitioner, MapOutputWriter writer) {
        ByteBuf v = new ByteBuf();
        return (key, off, len, value) -> {
            v.reset();
            values.write(value, v);
            writer.add(partitioner.partition(key, off, len), key, off, len, v.array(), 0, v.size());
        };
    }

    /**
     * The source's encoded pairs when they can go to the stage's output as they are: nothing between
     * the read and a shuffle (or a key sample) whose key serde is the pairs' own.
     */
    private static EncodedPairSlices<?, ?> directPairs(StagePlan stage) {
        if (!stage.ops().isEmpty() || !(stage.input() instanceof StageInput.FromSource s)
                || !(s.slices() instanceof EncodedPairSlices<?, ?> pairs)) {
            return null;
        }
        if (stage.output() instanceof StageOutput.Shuffle shuffle) {
            ShuffleSpec spec = shuffle.spec();
            boolean values = spec.combiner() != null || spec.valueSerde().equals(pairs.valueSerde());
            return spec.keySerde().equals(pairs.keySerde()) && values ? pairs : null;
        }
        if (stage.output() instanceof StageOutput.Sample sample) {
            return sample.keySerde().equals(pairs.keySerde()) ? pairs : null;
        }
        return null;
    }

    /** Counts the pairs a slice function emits, passing them on. */
    private static final class Counted implements PairEmitter {
        private final PairEmitter next;
        long count;

        Counted(PairEmitter next) {
            this.next = next;
        }

        @Override
        public void emit(byte[] k, int ko, int kl, byte[] v, int vo, int vl) throws IOException {
            count++;
            next.emit(k, ko, kl, v, vo, vl);
        }
    }

    /** Reads the split's raw records and writes the encoded pairs they make to the shuffle or sample. */
    @SuppressWarnings("unchecked")
    private static TaskResult writeDirect(JobPlan plan, StagePlan stage, int partition, int attempt,
            EncodedPairSlices<?, ?> pairs, ByteSliceReader reader, TaskEnv env) throws Exception {
        Path spillDir = ShuffleFiles.spillDir(env.workDir(), stage.id(), partition, attempt);
        if (stage.output() instanceof StageOutput.Sample sample) {
            Reservoir reservoir = new Reservoir(sample.perTask(), new Random(31L * stage.id() + partition));
            PairEmitter offer = (k, ko, kl, v, vo, vl) -> reservoir.offer(k, ko, kl);
            long limit = scanLimit(sample);
            while (reservoir.seen < limit && reader.next()) {
                pairs.function().apply(reader.buffer(), reader.offset(), reader.length(), offer);
            }
            try (MapOutputWriter writer = new MapOutputWriter(1, null, env.shuffle(), spillDir)) {
                for (byte[] key : reservoir.kept) {
                    writer.add(0, key, 0, key.length, key, 0, 0);
                }
                return commit(stage, partition, attempt, env, writer, reservoir.kept.size());
            }
        }
        StageOutput.Shuffle shuffle = (StageOutput.Shuffle) stage.output();
        ShuffleSpec spec = shuffle.spec();
        Partitioner partitioner = Partitioner.of(plan, shuffle, env.fetcher());
        try (MapOutputWriter writer = new MapOutputWriter(shuffle.reducePartitions(), KeyOrder.of(spec), env.shuffle(),
                spillDir)) {
            Counted out;
            if (spec.combiner() != null) {
                // Sums of plain longs fold without a Long per record; other combiners fold objects.
                boolean longs = spec.combiner().longs() != null && pairs.valueSerde().equals(Serdes.longs())
                        && spec.valueSerde().equals(Serdes.longs());
                BytesCombiner combined = longs ? new BytesCombiner(env.shuffle().combineMaxKeys(),
                        maxKeyBytes(env.shuffle()), spec.combiner().longs()) : newCombiner(spec, env.shuffle());
                BytesCombiner.Sink drain = drainInto(spec.valueSerde(), partitioner, writer);
                Serde<Object> in = (Serde<Object>) pairs.valueSerde();
                out = new Counted(longs ? (k, ko, kl, v, vo, vl) -> {
                    if (vl != 8) {
                        throw new IOException("a long is 8 bytes, not " + vl);
                    }
                    if (combined.addLong(k, ko, kl, Serdes.decodeLong(v, vo))) {
                        combined.drain(drain);
                    }
                } : (k, ko, kl, v, vo, vl) -> {
                    if (combined.add(k, ko, kl, in.read(v, vo, vl))) {
                        combined.drain(drain);
                    }
                });
                pump(reader, pairs.function(), out);
                combined.drain(drain);
            } else {
                out = new Counted((k, ko, kl, v, vo, vl) -> writer.add(partitioner.partition(k, ko, kl), k, ko, kl, v,
                        vo, vl));
                pump(reader, pairs.function(), out);
            }
            return commit(stage, partition, attempt, env, writer, out.count);
        }
    }

    private static void pump(ByteSliceReader reader, PairSliceFunction fn, PairEmitter out) throws Exception {
        while (reader.next()) {
            fn.apply(reader.buffer(), reader.offset(), reader.length(), out);
        }
    }

    /** Records a sample task reads per key it keeps, at most. */
    static final int SAMPLE_SCAN_FACTOR = 1_000;

    /**
     * How many records a sample task reads from the start of its split: a reservoir over the first
     * {@value #SAMPLE_SCAN_FACTOR} records per kept key (some 10 MB for 100 keys of 100-byte
     * records), as Hadoop's TeraSort samples, rather than a second full pass over the input before
     * the shuffle's own. Keys clustered within splits may balance partitions less evenly; the order
     * is right either way.
     */
    private static long scanLimit(StageOutput.Sample sample) {
        return (long) sample.perTask() * SAMPLE_SCAN_FACTOR;
    }

    /** A seeded reservoir sample of encoded keys, copying a key only when it is kept. */
    private static final class Reservoir {
        final List<byte[]> kept;
        private final int size;
        private final Random random;
        long seen;

        Reservoir(int size, Random random) {
            this.size = size;
            this.random = random;
            this.kept = new ArrayList<>(size);
        }

        void offer(byte[] k, int off, int len) {
            seen++;
            int slot = kept.size() < size ? kept.size() : (int) (random.nextDouble() * seen);
            if (slot < size) {
                byte[] key = Arrays.copyOfRange(k, off, off + len);
                if (slot == kept.size()) {
                    kept.add(key);
                } else {
                    kept.set(slot, key);
                }
            }
        }
    }

    /** A seeded reservoir sample of the encoded keys of a partition's pairs. */
    private static List<byte[]> sample(Iterator<Object> records, StageOutput.Sample sample, int stage, int partition)
            throws IOException {
        Random random = new Random(31L * stage + partition);
        List<byte[]> kept = new ArrayList<>(sample.perTask());
        ByteBuf k = new ByteBuf();
        long seen = 0;
        long limit = scanLimit(sample);
        while (seen < limit && records.hasNext()) {
            Pair<?, ?> p = (Pair<?, ?>) records.next();
            seen++;
            int slot = kept.size() < sample.perTask() ? kept.size() : (int) (random.nextDouble() * seen);
            if (slot < sample.perTask()) {
                k.reset();
                sample.keySerde().write(p.key(), k);
                if (slot == kept.size()) {
                    kept.add(k.toByteArray());
                } else {
                    kept.set(slot, k.toByteArray());
                }
            }
        }
        return kept;
    }

    @SuppressWarnings("unchecked")
    private static TaskResult writeSink(StagePlan stage, int partition, int attempt, Iterator<Object> records,
            TaskEnv env, StageOutput.ToSink sink) throws Exception {
        JobCommitter<Object> committer = (JobCommitter<Object>) env.committers().apply(stage.id());
        if (committer == null) {
            throw new IllegalStateException("no output committer for stage " + stage.id());
        }
        String taskId = Integer.toString(partition);
        Writer<Object> writer = committer.openWriter(taskId, attempt);
        long n = 0;
        try {
            if (sink.byteLines()) {
                Object plain = writer;
                if (!(plain instanceof TextLineWriter lines)) {
                    throw new IllegalArgumentException("byte lines need a text line sink, not "
                            + writer.getClass().getName());
                }
                while (records.hasNext()) {
                    byte[] line = (byte[]) records.next();
                    lines.writeLine(line, 0, line.length);
                    n++;
                }
            } else {
                while (records.hasNext()) {
                    writer.write(records.next());
                    n++;
                }
            }
            writer.close();
            boolean committed = committer.commitTask(taskId, attempt);
            return new TaskResult(stage.id(), partition, attempt, n, 0, 0, committed);
        } catch (Exception | Error e) {
            try {
                writer.close();
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            committer.abortTask(taskId, attempt);
            throw e;
        }
    }

    /** Deletes what a failed attempt may have left in the work directory. */
    public static void cleanUpAttempt(Path workDir, int stage, int partition, int attempt) throws IOException {
        Files.deleteIfExists(ShuffleFiles.data(workDir, stage, partition, attempt));
        Files.deleteIfExists(ShuffleFiles.index(workDir, stage, partition, attempt));
        Path data = ShuffleFiles.data(workDir, stage, partition, attempt);
        Files.deleteIfExists(data.resolveSibling(data.getFileName() + ".tmp"));
        Path index = ShuffleFiles.index(workDir, stage, partition, attempt);
        Files.deleteIfExists(index.resolveSibling(index.getFileName() + ".tmp"));
    }
}
