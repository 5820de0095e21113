/**
 * The Drover node agent: one per machine, a plain Kafka client.
 *
 * <pre>
 *  Agent (public: start/close)
 *    ├─ WorkDir          lock, agent id, command position, sandboxes/
 *    ├─ ResourceProbe    OSHI + file store + nvidia-smi, overrides, minus reserve, ports
 *    │    ├─ NvidiaSmi        runs nvidia-smi (bounded); NvidiaSmiParser reads its CSV
 *    │    └─ PortRanges       the offered port ranges: parsing and rules
 *    └─ AgentLoop        the one loop thread; owns everything below
 *         ├─ ResourceWatch    re-measures every probe interval on the probe thread; a change ──► RegisterAgent again
 *         ├─ CommandChannel   assign()ed partition of drover.agent-commands; dead letters
 *         ├─ Tasks            OS processes: launch, exit, SIGTERM → grace → SIGKILL
 *         │    ├─ ProcessLauncher  sandbox dir, ProcessBuilder, stdout/stderr files
 *         │    └─ ProcessTree      signals a process and its descendants
 *         ├─ ExecutorSupervisor  executor processes (one per framework and executor id) running many tasks
 *         │    ├─ ChannelEnd       (executor module) the agent's end of two Chronicle queues in the sandbox
 *         │    └─ reader threads   one per executor, into one bounded handoff the loop drains
 *         └─ StatusUpdateQueue   per-task FIFO, head resent with backoff until acknowledged
 * </pre>
 *
 * <p>Threads: the loop thread does all the work. The JDK's process-reaper threads report exits
 * into a bounded queue and wake the loop's poll up; {@link io.drover.agent.Agent#close()} sets a
 * flag and wakes it too. One probe thread measures the machine (it may block on nvidia-smi or the
 * file system) and wakes the loop when done. Each executor has a reader thread that tails its
 * queue with Chronicle's balanced back-off (busy spinning when {@link io.drover.agent.ExecutorConfig#busySpin()})
 * and hands messages to the loop through a bounded queue, waking it; the loop does everything
 * else with executors (heartbeats, timeouts, idle shutdowns, kills) in its timers. Time comes
 * from an injected {@link java.time.Clock}.
 *
 * <p>Not yet here (later issues): cgroup limits, the Chronicle Queue journal of status updates
 * (until then they are kept in memory and lost on restart), re-attaching to executors after an
 * agent restart, resizing an executor's limits as tasks come and go, GPU and port isolation
 * (GPUs and ports are offered, not yet assigned to tasks).
 */
package io.drover.agent;
