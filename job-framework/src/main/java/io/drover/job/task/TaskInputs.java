package io.drover.job.task;

import io.drover.connectors.ByteSliceReader;
import io.drover.connectors.ByteSliceSource;
import io.drover.connectors.Reader;
import io.drover.connectors.Source;
import io.drover.connectors.Split;
import io.drover.job.api.Fn.SliceFunction;
import io.drover.job.api.Pair;
import io.drover.job.plan.JobPlan;
import io.drover.job.plan.NarrowOp.LookaheadIterator;
import io.drover.job.plan.ShuffleSpec;
import io.drover.job.plan.StageInput;
import io.drover.job.plan.StageOutput;
import io.drover.job.plan.StagePlan;
import io.drover.job.serde.ByteBuf;
import io.drover.job.serde.Serde;
import io.drover.job.shuffle.BoundedMerge;
import io.drover.job.shuffle.KeyOrder;
import io.drover.job.shuffle.MergedStream;
import io.drover.job.shuffle.RecordStream;
import io.drover.job.shuffle.ShuffleFetcher;
import io.drover.job.shuffle.ShuffleFiles;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/** Opens the input of one task as an iterator of records. */
final class TaskInputs {

    private TaskInputs() {}

    /** An iterator over a task's input records, holding files open until closed. */
    record Input(Iterator<Object> records, Closeable resources) {}

    static Input open(JobPlan plan, StagePlan stage, int partition, int attempt, TaskEnv env) throws Exception {
        StageInput in = stage.input();
        if (in instanceof StageInput.FromSource s) {
            return fromSource(s, partition);
        }
        Path runDir = ShuffleFiles.spillDir(env.workDir(), stage.id(), partition, attempt).resolveSibling(
                "reduce-s" + stage.id() + "-p" + partition + "-a" + attempt);
        if (in instanceof StageInput.FromShuffle s) {
            ShuffleSpec spec = specOf(plan, s.mapStage());
            MergedStream merged = mergedPartition(plan, s.mapStage(), partition, env, KeyOrder.of(spec),
                    runDir.resolve("shuffle"));
            return new Input(reduce(merged, spec, s.mode()), () -> {
                try (merged) {
                    // closes the map output streams
                } finally {
                    deleteRecursively(runDir);
                }
            });
        }
        StageInput.FromCoGroup c = (StageInput.FromCoGroup) in;
        ShuffleSpec left = specOf(plan, c.leftStage());
        ShuffleSpec right = specOf(plan, c.rightStage());
        MergedStream l = mergedPartition(plan, c.leftStage(), partition, env, KeyOrder.BYTES, runDir.resolve("left"));
        MergedStream r = mergedPartition(plan, c.rightStage(), partition, env, KeyOrder.BYTES,
                runDir.resolve("right"));
        return new Input(join(l, r, left, right), () -> {
            try (l; r) {
                // closes both sides' streams
            } finally {
                deleteRecursively(runDir);
            }
        });
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static ShuffleSpec specOf(JobPlan plan, int mapStage) {
        return ((StageOutput.Shuffle) plan.stage(mapStage).output()).spec();
    }

    /**
     * Every map task's block of one partition, merged in {@code order}, with at most the fan-in
     * open at once (see {@link BoundedMerge}).
     */
    static MergedStream mergedPartition(JobPlan plan, int mapStage, int partition, TaskEnv env, KeyOrder order,
            Path runDir) throws IOException {
        int maps = plan.stage(mapStage).partitions();
        ShuffleFetcher fetcher = env.fetcher();
        List<BoundedMerge.Opener> inputs = new ArrayList<>(maps);
        for (int m = 0; m < maps; m++) {
            int map = m;
            inputs.add(() -> fetcher.fetch(mapStage, map, partition));
        }
        return BoundedMerge.merge(inputs, order, env.shuffle(), runDir);
    }

    @SuppressWarnings("unchecked")
    private static Input fromSource(StageInput.FromSource s, int partition) throws IOException {
        Source<Object> source = (Source<Object>) s.source().get();
        Split split = Split.fromBytes(s.splits().get(partition));
        if (s.slices() == null) {
            Reader<Object> reader = source.open(split);
            return new Input(new LookaheadIterator() {
                @Override
                protected boolean advance() throws IOException {
                    if (reader.next()) {
                        set(reader.current());
                        return true;
                    }
                    return false;
                }
            }, reader::close);
        }
        SliceFunction<Object> fn = (SliceFunction<Object>) s.slices();
        ByteSliceReader reader = openSlices(source, split);
        ArrayDeque<Object> pending = new ArrayDeque<>();
        return new Input(new LookaheadIterator() {
            @Override
            protected boolean advance() throws Exception {
                while (pending.isEmpty()) {
                    if (!reader.next()) {
                        return false;
                    }
                    fn.apply(reader.buffer(), reader.offset(), reader.length(), pending::add);
                }
                set(pending.poll());
                return true;
            }
        }, reader::close);
    }

    /** The raw records of a task's split of a byte-slice source. */
    static ByteSliceReader openSlices(StageInput.FromSource s, int partition) throws IOException {
        return openSlices(s.source().get(), Split.fromBytes(s.splits().get(partition)));
    }

    private static ByteSliceReader openSlices(Source<?> source, Split split) throws IOException {
        if (!(source instanceof ByteSliceSource sliceSource)) {
            throw new IllegalArgumentException(source.getClass().getName() + " cannot be read as byte slices");
        }
        return sliceSource.openSlices(split);
    }

    private static Iterator<Object> reduce(MergedStream merged, ShuffleSpec spec, StageInput.ReduceMode mode) {
        Serde<Object> keys = spec.keySerde();
        Serde<Object> values = spec.valueSerde();
        if (mode == StageInput.ReduceMode.SORTED) {
            return new LookaheadIterator() {
                @Override
                protected boolean advance() throws IOException {
                    if (!merged.next()) {
                        return false;
                    }
                    RecordStream r = merged.current();
                    set(new Pair<>(keys.read(r.key(), 0, r.keyLength()), values.read(r.value(), 0, r.valueLength())));
                    return true;
                }
            };
        }
        return new LookaheadIterator() {
            private boolean pending;
            private boolean started;

            @Override
            protected boolean advance() throws IOException {
                if (!started) {
                    started = true;
                    pending = merged.next();
                }
                if (!pending) {
                    return false;
                }
                RecordStream r = merged.current();
                byte[] key = r.copyKey();
                Object combined = null;
                List<Object> group = mode == StageInput.ReduceMode.GROUP ? new ArrayList<>() : null;
                boolean first = true;
                do {
                    r = merged.current();
                    if (mode == StageInput.ReduceMode.COMBINE) {
                        Object v = values.read(r.value(), 0, r.valueLength());
                        combined = first ? v : spec.combiner().mergeCombiners().apply(combined, v);
                    } else if (group != null) {
                        group.add(values.read(r.value(), 0, r.valueLength()));
                    }
                    first = false;
                    pending = merged.next();
                } while (pending && sameKey(key, merged.current()));
                Object k = keys.read(key, 0, key.length);
                set(switch (mode) {
                    case COMBINE -> new Pair<>(k, combined);
                    case GROUP -> new Pair<>(k, group);
                    default -> k;
                });
                return true;
            }
        };
    }

    private static boolean sameKey(byte[] key, RecordStream r) {
        return Arrays.equals(key, 0, key.length, r.key(), 0, r.keyLength());
    }

    /** Inner merge join of two byte-ordered streams on equal keys. */
    private static Iterator<Object> join(MergedStream left, MergedStream right, ShuffleSpec ls, ShuffleSpec rs) {
        return new LookaheadIterator() {
            private boolean started;
            private boolean lHas;
            private boolean rHas;
            private final ArrayDeque<Object> out = new ArrayDeque<>();

            @Override
            protected boolean advance() throws IOException {
                if (!started) {
                    started = true;
                    lHas = left.next();
                    rHas = right.next();
                }
                while (out.isEmpty()) {
                    if (!lHas || !rHas) {
                        return false;
                    }
                    RecordStream l = left.current();
                    RecordStream r = right.current();
                    int c = ByteBuf.compare(l.key(), 0, l.keyLength(), r.key(), 0, r.keyLength());
                    if (c < 0) {
                        lHas = left.next();
                    } else if (c > 0) {
                        rHas = right.next();
                    } else {
                        byte[] key = l.copyKey();
                        Object k = ls.keySerde().read(key, 0, key.length);
                        List<Object> lefts = new ArrayList<>();
                        do {
                            lefts.add(ls.valueSerde().read(left.current().value(), 0, left.current().valueLength()));
                            lHas = left.next();
                        } while (lHas && sameKey(key, left.current()));
                        do {
                            Object rv = rs.valueSerde().read(right.current().value(), 0,
                                    right.current().valueLength());
                            for (Object lv : lefts) {
                                out.add(new Pair<>(k, new Pair<>(lv, rv)));
                            }
                            rHas = right.next();
                        } while (rHas && sameKey(key, right.current()));
                    }
                }
                set(out.poll());
                return true;
            }
        };
    }
}
