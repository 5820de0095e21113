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
import io.drover.job.shuffle.KeyOrder;
import io.drover.job.shuffle.MergedStream;
import io.drover.job.shuffle.RecordStream;
import io.drover.job.shuffle.ShuffleFetcher;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/** Opens the input of one task as an iterator of records. */
final class TaskInputs {

    private TaskInputs() {}

    /** An iterator over a task's input records, holding files open until closed. */
    record Input(Iterator<Object> records, Closeable resources) {}

    static Input open(JobPlan plan, StagePlan stage, int partition, ShuffleFetcher fetcher) throws Exception {
        StageInput in = stage.input();
        if (in instanceof StageInput.FromSource s) {
            return fromSource(s, partition);
        }
        if (in instanceof StageInput.FromShuffle s) {
            ShuffleSpec spec = specOf(plan, s.mapStage());
            MergedStream merged = mergedPartition(plan, s.mapStage(), partition, fetcher, KeyOrder.of(spec));
            return new Input(reduce(merged, spec, s.mode()), merged::close);
        }
        StageInput.FromCoGroup c = (StageInput.FromCoGroup) in;
        ShuffleSpec left = specOf(plan, c.leftStage());
        ShuffleSpec right = specOf(plan, c.rightStage());
        MergedStream l = mergedPartition(plan, c.leftStage(), partition, fetcher, KeyOrder.BYTES);
        MergedStream r = mergedPartition(plan, c.rightStage(), partition, fetcher, KeyOrder.BYTES);
        return new Input(join(l, r, left, right), () -> {
            try (l; r) {
                // closes both
            }
        });
    }

    static ShuffleSpec specOf(JobPlan plan, int mapStage) {
        return ((StageOutput.Shuffle) plan.stage(mapStage).output()).spec();
    }

    /** Every map task's block of one partition, merged in {@code order}. */
    static MergedStream mergedPartition(JobPlan plan, int mapStage, int partition, ShuffleFetcher fetcher,
            KeyOrder order) throws IOException {
        int maps = plan.stage(mapStage).partitions();
        List<RecordStream> streams = new ArrayList<>(maps);
        try {
            for (int m = 0; m < maps; m++) {
                streams.add(fetcher.fetch(mapStage, m, partition));
            }
            return new MergedStream(streams, order);
        } catch (IOException | RuntimeException e) {
            for (RecordStream s : streams) {
                s.close();
            }
            throw e;
        }
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
        if (!(source instanceof ByteSliceSource sliceSource)) {
            throw new IllegalArgumentException(source.getClass().getName() + " cannot be read as byte slices");
        }
        SliceFunction<Object> fn = (SliceFunction<Object>) s.slices();
        ByteSliceReader reader = sliceSource.openSlices(split);
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
