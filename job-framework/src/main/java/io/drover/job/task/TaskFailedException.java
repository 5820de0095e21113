package io.drover.job.task;

/** A task attempt failed; the message names the job, stage, task and attempt, and the cause. */
public final class TaskFailedException extends Exception {

    private final int stage;
    private final int partition;
    private final int attempt;

    public TaskFailedException(String jobName, int stage, String stageDescription, int partition, int attempt,
            Throwable cause) {
        super("job " + jobName + " stage " + stage + " (" + stageDescription + ") task " + partition + " attempt "
                + attempt + " failed: " + reason(cause), cause);
        this.stage = stage;
        this.partition = partition;
        this.attempt = attempt;
    }

    /** The innermost useful description of a failure: class and message of the root cause. */
    static String reason(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root
                && (root instanceof io.drover.job.plan.NarrowOp.TaskIoException
                        || root instanceof java.io.UncheckedIOException)) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getName() + (message == null ? "" : ": " + message.lines().findFirst().orElse(""));
    }

    /**
     * The lost map output that made this attempt fail, or null when it failed for another reason:
     * the scheduler should recompute that map output before retrying.
     */
    public io.drover.job.shuffle.ShuffleFetchException fetchFailure() {
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            if (t instanceof io.drover.job.shuffle.ShuffleFetchException f) {
                return f;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    public int stage() {
        return stage;
    }

    public int partition() {
        return partition;
    }

    public int attempt() {
        return attempt;
    }
}
