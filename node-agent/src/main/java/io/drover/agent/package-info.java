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
 *         ├─ Tasks            OS processes: launch, exit, SIGTERM → grace → SIGKILL, recovery
 *         │    ├─ ProcessLauncher  sandbox dir, sh wrapper (go line, exit file), stdout/stderr files
 *         │    ├─ RotatingLog      copy-truncate rotation of the output files
 *         │    ├─ TaskCheckpoint   .drover-task in the sandbox: what re-attaching needs
 *         │    └─ ProcessTree      signals a process and its descendants
 *         ├─ ExecutorSupervisor  executor processes (one per framework and executor id) running many tasks
 *         │    ├─ ExecutorCheckpoint  .drover-task (kind=executor) in its sandbox: what re-attaching needs
 *         │    ├─ ChannelEnd       (executor module) the agent's end of two Chronicle queues in the sandbox
 *         │    └─ reader threads   one per executor, into one bounded handoff the loop drains
 *         ├─ StatusUpdateQueue   per-task FIFO, head resent with backoff until acknowledged
 *         └─ StatusJournal       Chronicle Queue under journal/: every update before it is sent, every ack
 * </pre>
 *
 * <p><b>Durability and recovery.</b> An update is journaled before it is sent and each matched
 * acknowledgement after; a restarted agent replays the journal and resends what was never
 * acknowledged, with its original update id (at least once; frameworks drop repeats by update
 * id). The journal is memory-mapped and not synced: it survives the agent process being killed
 * (even by SIGKILL), not the loss of the host or its power. Tasks do not depend on the agent
 * process: each runs under a {@code sh} wrapper in its own session, writes its output to files in
 * its sandbox, and has its exit status recorded there ({@code .drover-exit}); its checkpoint
 * ({@code .drover-task}: ids, pid and process start time, the TaskInfo) is written before
 * RUNNING is sent and deleted once its terminal update is journaled. A restarted agent (same work
 * dir, so same agent id) re-attaches to the tasks still running (pid and start time must both
 * match, so a recycled pid is never taken for a task), watches them through
 * {@link java.lang.ProcessHandle#onExit()}, puts them back under their isolator (their cgroups
 * when still there), reports those that ended meanwhile with their recorded exit code (LOST when
 * none was recorded), or kills them with {@code --recover=cleanup}; its RegisterAgent names the
 * tasks it accounts for, and the master keeps them. Executors are re-attached the same way
 * ({@link io.drover.agent.ExecutorCheckpoint}, {@code kind=executor}): the executor waits for the
 * new run (its reconnect timeout, the executor heartbeat timeout), the new run reads what the
 * executor wrote past the last message whose updates were journaled, greets it with
 * {@code AgentHello}, and names it in RegisterAgent's recoveredExecutors so the master keeps its
 * charge; {@code --recover=cleanup} kills it, and the tasks of one that died meanwhile report
 * what it wrote, else FAILED with EXECUTOR_TERMINATED.
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
 * <p>Not yet here (later issues): lowering an executor's limits when its tasks end (they only
 * grow), a reconnect timeout for executors separate from the heartbeat timeout, cgroup v2 on a
 * hybrid host (only a unified hierarchy at the cgroup root is used; v2 is tested against control
 * files in a temp dir, not a real kernel), GPU and port isolation (GPUs and ports are offered, not yet
 * assigned to tasks).
 */
package io.drover.agent;
