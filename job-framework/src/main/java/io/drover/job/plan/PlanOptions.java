package io.drover.job.plan;

/**
 * How a job is cut into tasks, validated once at construction.
 *
 * @param partitions the number of partitions of every stage ({@code --partitions}): the split
 *     count asked of sources and the reduce partitions of every shuffle; 0 to derive them from the
 *     input: sources split by size ({@code defaultSplits} asked, each source keeping its minimum
 *     split size), and a shuffle gets as many reduce partitions as its map stage has tasks
 * @param defaultSplits how many splits to ask of a source when {@code partitions} is 0; default
 *     {@value #DEFAULT_SPLITS}
 * @param maxPartitions the most partitions any stage may have; default {@value #DEFAULT_MAX_PARTITIONS}
 * @param samplesPerTask the most keys each task samples for a range shuffle's bounds (the planner
 *     asks for about 100 per reduce partition in all, at least 20 per task); default
 *     {@value #DEFAULT_SAMPLES_PER_TASK}
 */
public record PlanOptions(int partitions, int defaultSplits, int maxPartitions, int samplesPerTask) {

    public static final int DEFAULT_SPLITS = 64;
    public static final int DEFAULT_MAX_PARTITIONS = 10_000;
    public static final int DEFAULT_SAMPLES_PER_TASK = 1_000;

    public PlanOptions {
        if (partitions < 0) {
            throw new IllegalArgumentException("partitions must not be negative: " + partitions);
        }
        if (defaultSplits < 1) {
            throw new IllegalArgumentException("defaultSplits must be at least 1: " + defaultSplits);
        }
        if (maxPartitions < 1) {
            throw new IllegalArgumentException("maxPartitions must be at least 1: " + maxPartitions);
        }
        if (partitions > maxPartitions) {
            throw new IllegalArgumentException("partitions " + partitions + " exceeds the maximum " + maxPartitions);
        }
        if (samplesPerTask < 1) {
            throw new IllegalArgumentException("samplesPerTask must be at least 1: " + samplesPerTask);
        }
    }

    /** Partitions derived from the input. */
    public static PlanOptions defaults() {
        return new PlanOptions(0, DEFAULT_SPLITS, DEFAULT_MAX_PARTITIONS, DEFAULT_SAMPLES_PER_TASK);
    }

    public PlanOptions withPartitions(int value) {
        return new PlanOptions(value, defaultSplits, maxPartitions, samplesPerTask);
    }

    public PlanOptions withDefaultSplits(int value) {
        return new PlanOptions(partitions, value, maxPartitions, samplesPerTask);
    }

    public PlanOptions withSamplesPerTask(int value) {
        return new PlanOptions(partitions, defaultSplits, maxPartitions, value);
    }
}
