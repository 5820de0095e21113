package io.drover.executor;

/**
 * How an executor reports its tasks' states to the agent, which turns them into the tasks'
 * status updates. Thread-safe. A report about a task the executor was not given, or one after
 * that task's terminal report, is dropped (and logged). Messages longer than
 * {@value #MAX_MESSAGE_CHARS} characters are cut.
 */
public interface ExecutorDriver {
    /** Longest message kept in one report. */
    int MAX_MESSAGE_CHARS = 4096;

    /** The id of this executor. */
    String executorId();

    /** The task started (RUNNING). Only the first report counts. */
    void running(String taskId);

    /** The task ended well (FINISHED). */
    void finished(String taskId, String message);

    /** The task ended badly (FAILED). */
    void failed(String taskId, String message);

    /** The task was stopped on a kill (KILLED). */
    void killed(String taskId, String message);

    /** Tasks launched and not yet reported terminal. */
    int activeTasks();
}
