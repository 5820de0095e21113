package io.drover.job.plan;

import io.drover.connectors.Source;
import io.drover.connectors.Split;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a job's logical graph into stages at shuffles. A stage is an input (a source's splits, a
 * shuffle, or two shuffles joined), the narrow operations that follow it, and an output (a
 * shuffle, the sink, or a result). A range shuffle (sortByKey) gets a sample stage first: the same
 * input and operations, writing a sample of the keys that the map tasks draw bounds from.
 *
 * <p>Planning lists the source's splits, so it touches the input (and fails on a missing path);
 * nothing else runs.
 */
public final class Planner {

    /** Sampled keys per reduce partition of a range shuffle, over all map tasks. */
    static final int SAMPLES_PER_BOUND = 100;
    /** The fewest keys a sample task keeps. */
    static final int MIN_SAMPLES_PER_TASK = 20;

    private final String jobName;
    private final PlanOptions options;
    private final List<StagePlan> stages = new ArrayList<>();

    private Planner(String jobName, PlanOptions options) {
        this.jobName = jobName;
        this.options = options;
    }

    /**
     * Plans a job.
     *
     * @param terminal what the last stage does with its records
     * @throws InvalidJobException if the input cannot be listed (missing path) or the plan cannot
     *     be serialized, with a one-line reason
     */
    public static JobPlan plan(String jobName, Node node, StageOutput terminal, PlanOptions options) {
        Planner planner = new Planner(jobName, options);
        Pending last = planner.build(node);
        planner.add(last, terminal, describe(terminal));
        JobPlan plan = new JobPlan(jobName, planner.stages);
        try {
            plan.toBytes();
        } catch (IllegalArgumentException e) {
            throw new InvalidJobException(e.getMessage(), e);
        }
        return plan;
    }

    /** A stage being built: its input and operations so far, not yet its output. */
    private static final class Pending {
        final StageInput input;
        final String inputName;
        final List<NarrowOp> ops = new ArrayList<>();
        final int partitions;

        Pending(StageInput input, String inputName, int partitions) {
            this.input = input;
            this.inputName = inputName;
            this.partitions = partitions;
        }

        Pending copy() {
            Pending p = new Pending(input, inputName, partitions);
            p.ops.addAll(ops);
            return p;
        }
    }

    private Pending build(Node node) {
        if (node instanceof Node.Read r) {
            return read(r);
        }
        if (node instanceof Node.Narrow n) {
            Pending p = build(n.parent());
            p.ops.add(n.op());
            return p;
        }
        if (node instanceof Node.Shuffle s) {
            Pending parent = build(s.parent());
            int reduce = reducePartitions(parent.partitions);
            int sample = -1;
            if (s.spec().range()) {
                // About SAMPLES_PER_BOUND keys per reduce partition in all, enough to balance them within
                // some 10%; every map task reads and sorts all of them.
                int perTask = (int) Math.min(options.samplesPerTask(), Math.max(MIN_SAMPLES_PER_TASK,
                        ((long) SAMPLES_PER_BOUND * reduce + parent.partitions - 1) / Math.max(1, parent.partitions)));
                sample = add(parent.copy(), new StageOutput.Sample(s.spec().keySerde(), perTask),
                        "sample keys");
            }
            int map = add(parent, new StageOutput.Shuffle(s.spec(), reduce, sample),
                    (s.spec().range() ? "range" : "hash") + " shuffle to " + reduce);
            return new Pending(new StageInput.FromShuffle(map, s.mode()), "shuffle of stage " + map + " ("
                    + s.mode().name().toLowerCase() + ")", reduce);
        }
        Node.CoGroup c = (Node.CoGroup) node;
        Pending left = build(c.left());
        Pending right = build(c.right());
        int reduce = reducePartitions(Math.max(left.partitions, right.partitions));
        int l = add(left, new StageOutput.Shuffle(c.leftSpec(), reduce, -1), "hash shuffle to " + reduce);
        int r = add(right, new StageOutput.Shuffle(c.rightSpec(), reduce, -1), "hash shuffle to " + reduce);
        return new Pending(new StageInput.FromCoGroup(l, r), "join of stages " + l + " and " + r, reduce);
    }

    private int reducePartitions(int mapPartitions) {
        int n = options.partitions() > 0 ? options.partitions() : Math.max(1, mapPartitions);
        return Math.min(n, options.maxPartitions());
    }

    private Pending read(Node.Read r) {
        Source<?> source;
        List<Split> splits;
        try {
            source = r.source().get();
            int desired = options.partitions() > 0 ? options.partitions() : options.defaultSplits();
            splits = source.splits(desired);
        } catch (IllegalArgumentException e) {
            throw new InvalidJobException("job " + jobName + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new InvalidJobException("job " + jobName + ": cannot list the input: " + e, e);
        }
        if (splits.size() > options.maxPartitions()) {
            throw new InvalidJobException("job " + jobName + ": the input has " + splits.size()
                    + " splits, more than the maximum of " + options.maxPartitions() + " partitions", null);
        }
        List<byte[]> encoded = new ArrayList<>(splits.size());
        for (Split s : splits) {
            encoded.add(s.toBytes());
        }
        String name = splits.isEmpty() ? source.getClass().getSimpleName() : splits.get(0).sourceType();
        return new Pending(new StageInput.FromSource(r.source(), r.slices(), encoded),
                "read " + name + (r.slices() != null ? " (slices)" : ""), splits.size());
    }

    private int add(Pending p, StageOutput output, String outputName) {
        int id = stages.size();
        StringBuilder d = new StringBuilder(p.inputName);
        for (NarrowOp op : p.ops) {
            d.append(" -> ").append(op.name());
        }
        d.append(" -> ").append(outputName);
        stages.add(new StagePlan(id, d.toString(), p.partitions, p.input, p.ops, output));
        return id;
    }

    private static String describe(StageOutput terminal) {
        if (terminal instanceof StageOutput.ToSink) {
            return "write";
        }
        if (terminal instanceof StageOutput.Count) {
            return "count";
        }
        return "collect";
    }
}
