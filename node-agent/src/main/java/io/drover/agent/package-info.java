/**
 * The Drover node agent: one per machine, a plain Kafka client.
 *
 * <pre>
 *  Agent (public: start/close)
 *    ├─ WorkDir          lock, agent id, command position, sandboxes/
 *    ├─ ResourceProbe    OSHI + file store, overrides, minus reserve  ──► RegisterAgent
 *    └─ AgentLoop        the one loop thread; owns everything below
 *         ├─ CommandChannel   assign()ed partition of drover.agent-commands; dead letters
 *         ├─ Tasks            OS processes: launch, exit, SIGTERM → grace → SIGKILL
 *         │    ├─ ProcessLauncher  sandbox dir, ProcessBuilder, stdout/stderr files
 *         │    └─ ProcessTree      signals a process and its descendants
 *         └─ StatusUpdateQueue   per-task FIFO, head resent with backoff until acknowledged
 * </pre>
 *
 * <p>Threads: the loop thread does all the work. The JDK's process-reaper threads report exits
 * into a bounded queue and wake the loop's poll up; {@link io.drover.agent.Agent#close()} sets a
 * flag and wakes it too. Time comes from an injected {@link java.time.Clock}.
 *
 * <p>Not yet here (later issues): cgroup limits, the Chronicle Queue journal of status updates
 * (until then they are kept in memory and lost on restart), executors, GPUs and ports.
 */
package io.drover.agent;
