/**
 * The executor side of the agent-executor channel: what a framework uses to run many of its
 * tasks in one long-lived process on an agent, instead of one process per task.
 *
 * <h2>Writing an executor</h2>
 *
 * <pre>{@code
 * public final class MyExecutor implements Executor {
 *     private final ExecutorService workers = Executors.newFixedThreadPool(4);
 *
 *     public void launch(ExecutorDriver driver, TaskLaunch task) {
 *         driver.running(task.taskId());
 *         workers.execute(() -> {
 *             try {
 *                 doTheWork(task.data());
 *                 driver.finished(task.taskId(), "");
 *             } catch (Exception e) {
 *                 driver.failed(task.taskId(), e.toString());
 *             }
 *         });
 *     }
 *
 *     public void kill(ExecutorDriver driver, String taskId) {
 *         // stop it, then:
 *         driver.killed(taskId, "killed");
 *     }
 *
 *     public static void main(String[] args) {
 *         System.exit(ExecutorRuntime.runFromEnvironment(new MyExecutor()));
 *     }
 * }
 * }</pre>
 *
 * <p>The framework launches tasks with an executor ({@code TaskSpec.forExecutor} with an
 * {@code ExecutorSpec} whose command is {@code java} with {@link io.drover.executor.ChronicleFlags#JVM_ARGS},
 * a class path and the main class). The agent starts the process with the first such task; the
 * {@link io.drover.executor.ExecutorRuntime} reads the agent's requests and calls the executor on
 * its one thread, so {@code launch} and {@code kill} must return quickly; the
 * {@link io.drover.executor.ExecutorDriver} may be called from any thread. Each task gets
 * {@code running} once, then exactly one of {@code finished}, {@code failed}, {@code killed}. The
 * runtime returns (and the process should exit) when the agent says Shutdown (idle executor,
 * agent stopping: tasks without a terminal report are reported KILLED), or when the agent is gone
 * (its process ended, or no heartbeat for the timeout).
 *
 * <h2>The channel</h2>
 *
 * <p>{@link io.drover.executor.ChannelEnd} is one end of two Chronicle queues in the executor's
 * sandbox, one writer each; each excerpt is one Avro {@code ExecutorMessage}. The agent and the
 * runtime each hold one end. Both ends can be opened in one JVM on one directory
 * ({@code ChannelEnd.agentEnd(dir, clock)} and {@code ChannelEnd.executorEnd(dir, clock)}), which
 * is how a benchmark measures one hop agent → executor → agent: send on one end, poll the other
 * (with {@link io.drover.executor.ChannelEnd#defaultPauser()} or
 * {@link io.drover.executor.ChannelEnd#busyPauser()} between empty polls), answer, poll back.
 * Garbage in a queue is skipped and counted ({@link io.drover.executor.ChannelEnd#skipped()}),
 * never fatal.
 */
package io.drover.executor;
