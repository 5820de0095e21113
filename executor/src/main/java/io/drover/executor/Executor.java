package io.drover.executor;

/**
 * What a framework writes to run its tasks in a long-lived process on an agent. The
 * {@link ExecutorRuntime} calls these methods on its one reader thread, in the order the agent
 * sent the requests; they must return quickly (hand the work to the executor's own threads) and
 * report each task's progress through the {@link ExecutorDriver}, from any thread.
 */
public interface Executor {
    /** Called once, before any launch, when the channel to the agent is up. */
    default void registered(ExecutorDriver driver) {}

    /**
     * Run a task. Report {@link ExecutorDriver#running} when it starts and exactly one terminal
     * update ({@code finished}, {@code failed} or {@code killed}) when it ends. An exception
     * thrown here fails the task with its message.
     */
    void launch(ExecutorDriver driver, TaskLaunch task);

    /**
     * Stop a task the agent was asked to kill and report it {@code killed} (or its real end if it
     * ended first). The agent waits the kill's grace period for that report; after it, the agent
     * kills this whole process.
     */
    void kill(ExecutorDriver driver, String taskId);

    /**
     * The agent asks this executor to exit (it has been idle, or the agent stops): stop what runs.
     * The runtime reports KILLED for every task still without a terminal update when this returns,
     * then {@link ExecutorRuntime#run} returns.
     */
    default void shutdown(ExecutorDriver driver) {}
}
