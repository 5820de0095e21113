package io.drover.job.api;

/**
 * Which task attempt the current thread runs, for user functions that need to know (to seed a
 * random source per partition, say). Set by the task runner around a task; {@link #current()}
 * fails outside a task.
 *
 * @param jobName the plan's name
 * @param stage the stage id
 * @param partition the task's partition in its stage
 * @param attempt the attempt number, 0 for the first
 */
public record TaskContext(String jobName, int stage, int partition, int attempt) {

    private static final ThreadLocal<TaskContext> CURRENT = new ThreadLocal<>();

    /** The task the calling thread runs. */
    public static TaskContext current() {
        TaskContext c = CURRENT.get();
        if (c == null) {
            throw new IllegalStateException("not inside a task");
        }
        return c;
    }

    /** For task runners: makes {@code context} current until the returned scope is closed. */
    public static Scope enter(TaskContext context) {
        TaskContext previous = CURRENT.get();
        CURRENT.set(context);
        return () -> {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        };
    }

    /** Ends a {@link #enter} scope. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
