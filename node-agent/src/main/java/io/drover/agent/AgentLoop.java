package io.drover.agent;

import io.drover.api.AgentPartitions;
import io.drover.api.Envelopes;
import io.drover.api.ResourceMath;
import io.drover.api.Topics;
import io.drover.api.codec.Codecs;
import io.drover.api.kafka.DeadLetters;
import io.drover.api.protocol.AcknowledgeUpdate;
import io.drover.api.protocol.AgentCommand;
import io.drover.api.protocol.AgentHeartbeat;
import io.drover.api.protocol.AgentMessage;
import io.drover.api.protocol.AgentRegistered;
import io.drover.api.protocol.ExecutorEnded;
import io.drover.api.protocol.KillTask;
import io.drover.api.protocol.LaunchTasks;
import io.drover.api.protocol.ReconcileTasks;
import io.drover.api.protocol.RecoveredExecutor;
import io.drover.api.protocol.RecoveredTask;
import io.drover.api.protocol.TaskRef;
import io.drover.api.protocol.RegisterAgent;
import io.drover.api.protocol.Resources;
import io.drover.api.protocol.ShutdownAgent;
import io.drover.api.protocol.StatusMessage;
import io.drover.api.protocol.TaskInfo;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusReason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's one loop thread. Each round it runs the timers that are due (RegisterAgent resend,
 * heartbeat, status update resends, SIGKILL after a grace period), waits in the command poll until
 * the next timer or a command, handles the commands, takes the process exits that other threads
 * queued, and sends the status updates that became due. All state is owned by this thread; the
 * only cross-thread inputs are the stop flag and the bounded exit queue, whose producers wake the
 * poll up.
 */
final class AgentLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentLoop.class);
    /** Longest wait in one poll, so that a stop or a clock jump is noticed within a second. */
    static final long MAX_WAIT_MS = 1_000;
    /** Pause after an unexpected error in a round, so that a persistent fault cannot spin. */
    static final long ERROR_PAUSE_MS = 1_000;
    /** Most status update resends in one round; the rest go out in the next rounds. */
    static final int MAX_RESENDS_PER_ROUND = 1_000;
    /**
     * How often the tasks' output files are checked for rotation: a file passes its size limit by
     * at most what its task writes in this time.
     */
    static final long LOG_ROTATION_INTERVAL_MS = 1_000;
    /** Upper bound on one StatusMessage's estimated encoded size (Kafka's default limit is 1 MiB). */
    static final long MAX_STATUS_MESSAGE_BYTES = 512 * 1024;

    private final AgentConfig config;
    private final Clock clock;
    private final String agentId;
    private final ResourceWatch resources;
    private final String agentVersion;
    private final long startedAtMs;
    private final Producer<byte[], byte[]> producer;
    private final Consumer<byte[], byte[]> consumer;
    private final CommandChannel channel;
    private final DeadLetters deadLetters;
    private final StatusFactory statuses;
    private final StatusUpdateQueue updates;
    /** Where each update is journaled before it is sent, and each acknowledgement that releases one. */
    private final StatusJournal journal;
    private final Tasks tasks;
    /** The executors and the tasks they run; see {@link ExecutorSupervisor}. */
    private final ExecutorSupervisor executors;
    private final BlockingQueue<Tasks.Exit> exits;
    /** Ends of fetches, from the fetch threads; bounded like the exits, one per task at most. */
    private final BlockingQueue<Tasks.Fetched> fetched;
    private final Backoff registerBackoff;
    private final List<TaskStatus> outbox = new ArrayList<>();
    /** The tasks of earlier runs this run accounts for, named in every RegisterAgent; set by {@link #recover()}. */
    private List<RecoveredTask> recoveredTasks = List.of();
    /** The executors of earlier runs this run re-attached to, named in every RegisterAgent; set by {@link #recover()}. */
    private List<RecoveredExecutor> recoveredExecutors = List.of();
    private final Path sandboxesRoot;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final CountDownLatch terminated = new CountDownLatch(1);

    private volatile boolean stopRequested;
    private volatile boolean registered;
    /** Updates waiting for acknowledgement, as of the end of the last round; for other threads to read. */
    private volatile int pendingUpdates;
    private boolean channelOpen;
    /** Registered, but the resources changed since: RegisterAgent is resent until answered. */
    private boolean reregistering;
    private long nextRegisterAtMs;
    private long registerDelayMs;
    private long heartbeatIntervalMs;
    private long nextHeartbeatAtMs;
    private long heartbeatSequence;
    private final String httpAddress;
    private final SandboxGc sandboxGc;
    private final SandboxGc shuffleGc;
    private long nextGcAtMs;
    private long nextLogRotationAtMs;

    AgentLoop(AgentConfig config, Clock clock, WorkDir workDir, ResourceWatch.Source machine, Executor probeExecutor, Executor fetchExecutor,
              ResourceProbe.Report initialReport, String agentVersion, long startedAtMs,
              Producer<byte[], byte[]> producer, Consumer<byte[], byte[]> consumer, String httpAddress,
              Isolator isolator, StatusJournal journal) {
        this.config = config;
        this.httpAddress = httpAddress;
        this.clock = clock;
        this.agentId = workDir.agentId();
        this.agentVersion = agentVersion;
        this.startedAtMs = startedAtMs;
        this.producer = producer;
        this.consumer = consumer;
        this.channel = new CommandChannel(consumer, workDir, agentId, () -> stopRequested);
        this.deadLetters = new DeadLetters(agentId, clock);
        this.statuses = new StatusFactory(agentId, clock);
        this.updates = new StatusUpdateQueue(config.maxPendingUpdates(),
                new Backoff(config.statusRetryInitialMs(), config.statusRetryMaxMs()));
        this.journal = journal;
        this.exits = new ArrayBlockingQueue<>(config.maxRunningTasks());
        this.fetched = new ArrayBlockingQueue<>(config.maxRunningTasks());
        // One fetcher, and so one cache, for command tasks' and executors' URIs.
        Fetcher fetcher = Fetcher.withDefaults(workDir.fetchCacheDir(), config.fetchMaxFileBytes(), config.fetchCacheMaxBytes(), clock);
        this.tasks = new Tasks(agentId, statuses, new ProcessLauncher(workDir.sandboxesRoot(), agentId, config.logMaxBytes(), config.logMaxFiles()), clock,
                config.maxRunningTasks(), this::onExit, isolator, fetcher, fetchExecutor, this::onFetched);
        this.executors = new ExecutorSupervisor(config.executors(), agentId, statuses,
                new ProcessLauncher(workDir.sandboxesRoot(), agentId, config.logMaxBytes(), config.logMaxFiles()), isolator, clock,
                config.killGracePeriodMs(), this::wake,
                (key, how) -> sendAgentMessage(ExecutorEnded.newBuilder().setFrameworkId(key.frameworkId())
                        .setExecutorId(key.executorId()).setMessage(how).build()),
                fetcher, fetchExecutor);
        this.executors.advertise(httpAddress, workDir.shuffleRoot());
        this.registerBackoff = new Backoff(config.registerRetryInitialMs(), config.registerRetryMaxMs());
        this.resources = new ResourceWatch(config, machine, probeExecutor, this::wake, initialReport, startedAtMs);
        Path sandboxes = workDir.sandboxesRoot();
        this.sandboxGc = new SandboxGc(sandboxes, clock, config.sandboxMaxAgeMs(), config.sandboxMinFreeDiskPercent(),
                () -> SandboxGc.freeDiskPercent(sandboxes));
        // Map outputs (shuffle/<framework>/<run>) outlive their executors; those an executor could
        // not delete (it was killed) go by the same age and free-disk rules. A job that still
        // needs a deleted output recomputes it (a fetch failure re-runs the map task).
        Path shuffle = workDir.shuffleRoot();
        this.shuffleGc = new SandboxGc(shuffle, clock, config.sandboxMaxAgeMs(), config.sandboxMinFreeDiskPercent(),
                () -> SandboxGc.freeDiskPercent(shuffle));
        this.nextGcAtMs = clock.millis();
        this.sandboxesRoot = workDir.sandboxesRoot();
    }

    /**
     * On the loop thread, the journal's one writer, before anything else: resends what the
     * journal kept, and takes over the tasks earlier runs left.
     */
    private void recover() {
        try {
            resendJournaled();
            recoveredTasks = recoverTasks(sandboxesRoot);
        } catch (RuntimeException e) {
            LOG.error("agent {}: recovery of the earlier run's updates and tasks failed; going on without", agentId, e);
        }
    }

    /**
     * Takes over what an earlier run on this work directory left (see {@link Tasks#recover}) and
     * returns the tasks this run accounts for, which its RegisterAgent names: those re-attached,
     * and those with updates to deliver (the journal's and the ones recovery just reported).
     */
    private List<RecoveredTask> recoverTasks(Path sandboxesRoot) {
        Set<StatusUpdateQueue.TaskKey> reported = new HashSet<>();
        Set<StatusUpdateQueue.TaskKey> reportedRunning = new HashSet<>();
        for (TaskStatus pending : updates.pending()) {
            if (isTerminal(pending.getState())) {
                reported.add(new StatusUpdateQueue.TaskKey(pending.getFrameworkId(), pending.getTaskId()));
            } else if (pending.getState() == TaskState.RUNNING) {
                reportedRunning.add(new StatusUpdateQueue.TaskKey(pending.getFrameworkId(), pending.getTaskId()));
            }
        }
        List<ExecutorCheckpoint> executorCheckpoints = ExecutorCheckpoint.scan(sandboxesRoot);
        ExecutorSupervisor.Recovered executorsRecovered = executors.recover(executorCheckpoints, config.recovery(),
                config.killGracePeriodMs(), reported, reportedRunning);
        executorsRecovered.updates().forEach(this::enqueue);
        // Journaled now: the checkpoints may say so.
        executors.flushCheckpoints();
        recoveredExecutors = executorsRecovered.executors().stream()
                .map(k -> RecoveredExecutor.newBuilder().setFrameworkId(k.frameworkId()).setExecutorId(k.executorId()).build())
                .toList();
        if (!executorCheckpoints.isEmpty()) {
            LOG.info("agent {}: recovered {} executors of an earlier run ({}): {} re-attached, running {} tasks", agentId,
                    executorCheckpoints.size(), config.recovery().name().toLowerCase(Locale.ROOT), recoveredExecutors.size(),
                    executorsRecovered.tasks().size());
        }
        List<TaskCheckpoint> checkpoints = TaskCheckpoint.scan(sandboxesRoot);
        Tasks.Recovered recovered = tasks.recover(checkpoints, config.recovery(), config.killGracePeriodMs(), reported);
        for (int i = 0; i < recovered.updates().size(); i++) {
            enqueue(recovered.updates().get(i));
            // Journaled now, so the next run does not report the task again.
            TaskCheckpoint.delete(recovered.endedSandboxes().get(i));
        }
        Set<StatusUpdateQueue.TaskKey> accounted = new LinkedHashSet<>(recovered.running());
        accounted.addAll(executorsRecovered.tasks());
        for (TaskStatus pending : updates.pending()) {
            accounted.add(new StatusUpdateQueue.TaskKey(pending.getFrameworkId(), pending.getTaskId()));
        }
        if (!checkpoints.isEmpty()) {
            LOG.info("agent {}: recovered {} tasks of an earlier run ({}): {} still run, {} ended while it was down", agentId,
                    checkpoints.size(), config.recovery().name().toLowerCase(Locale.ROOT), recovered.running().size(),
                    recovered.updates().size());
        }
        return accounted.stream()
                .map(k -> RecoveredTask.newBuilder().setFrameworkId(k.frameworkId()).setTaskId(k.taskId()).build())
                .toList();
    }

    private static boolean isTerminal(TaskState state) {
        return switch (state) {
            case FINISHED, FAILED, KILLED, ERROR, LOST, DROPPED, GONE -> true;
            default -> false;
        };
    }

    /**
     * Takes back the updates an earlier run journaled and never saw acknowledged: each goes out
     * again in the first round, heads first, each task's in its order, with the usual backoff.
     */
    private void resendJournaled() {
        List<TaskStatus> unacknowledged = journal.replay().unacknowledged();
        if (unacknowledged.isEmpty()) {
            return;
        }
        long now = clock.millis();
        int dropped = 0;
        for (TaskStatus update : unacknowledged) {
            if (updates.free() < 1) {
                dropped++;
                continue;
            }
            updates.add(update, now).ifPresent(outbox::add);
        }
        LOG.info("agent {}: resending {} status updates an earlier run journaled and never saw acknowledged", agentId,
                unacknowledged.size() - dropped);
        if (dropped > 0) {
            LOG.error("agent {}: dropped {} journaled status updates: more than the {} pending updates allowed", agentId, dropped,
                    updates.maxSize());
        }
    }

    /** What the agent reports now: its total and attributes as last measured. */
    ResourceProbe.Report report() {
        return resources.current();
    }

    boolean isRegistered() {
        return registered;
    }

    /** Status updates waiting for acknowledgement, as of the end of the last round. */
    int pendingUpdates() {
        return pendingUpdates;
    }

    /** Asks the loop to stop: it kills the tasks, sends their last updates, and closes the clients. */
    void requestStop() {
        stopRequested = true;
        stopSignal.countDown();
        consumer.wakeup();
    }

    boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }

    @Override
    public void run() {
        try {
            recover();
            openChannel();
            if (channelOpen) {
                registerDelayMs = registerBackoff.initialMs();
                nextRegisterAtMs = clock.millis();
            }
            while (!stopRequested) {
                try {
                    round();
                } catch (CommandChannel.Stopping e) {
                    break;
                } catch (RuntimeException e) {
                    LOG.error("agent {}: unexpected error in the loop; going on in {} ms", agentId, ERROR_PAUSE_MS, e);
                    pause(ERROR_PAUSE_MS);
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("agent {}: loop failed", agentId, e);
        } finally {
            shutdown();
            terminated.countDown();
        }
    }

    private void openChannel() {
        int partition = AgentPartitions.commandPartition(agentId, Topics.agentCommandPartitions());
        while (!stopRequested) {
            try {
                channel.open(partition);
                channelOpen = true;
                return;
            } catch (CommandChannel.Stopping e) {
                return;
            } catch (KafkaException e) {
                LOG.warn("agent {}: cannot reach {} yet ({}); trying again in {} ms", agentId, Topics.AGENT_COMMANDS, e.toString(), ERROR_PAUSE_MS);
                pause(ERROR_PAUSE_MS);
            }
        }
    }

    private void round() {
        long now = clock.millis();
        runTimers(now);
        List<CommandChannel.Received> batch = channel.poll(Duration.ofMillis(waitMs(clock.millis())));
        for (CommandChannel.Received received : batch) {
            try {
                handle(received);
            } catch (CommandChannel.Stopping e) {
                throw e;
            } catch (RuntimeException e) {
                ConsumerRecord<byte[], byte[]> r = received.record();
                LOG.error("agent {}: failed to handle the command at {}-{}@{}; skipping it", agentId, r.topic(), r.partition(), r.offset(), e);
            }
        }
        if (!batch.isEmpty()) {
            channel.savePosition();
        }
        drainExits();
        drainFetched();
        executors.drain().forEach(this::enqueue);
        // After the updates above (and the timers') are journaled.
        executors.flushCheckpoints();
        flushOutbox();
        compactJournalIfDue();
        pendingUpdates = updates.size();
    }

    private void compactJournalIfDue() {
        long now = clock.millis();
        if (journal.compactionDue(now)) {
            try {
                journal.compact(updates.pending(), now);
            } catch (RuntimeException e) {
                LOG.error("agent {}: cannot compact the status journal; going on with the old generation", agentId, e);
            }
        }
    }

    private void runTimers(long now) {
        resources.poll(now, tasks.allocatedDiskMb()).ifPresent(changed -> onResourcesChanged(changed, now));
        if ((!registered || reregistering) && now >= nextRegisterAtMs) {
            sendRegister();
            nextRegisterAtMs = now + registerDelayMs;
            registerDelayMs = registerBackoff.after(registerDelayMs);
        }
        if (registered && now >= nextHeartbeatAtMs) {
            sendHeartbeat();
            nextHeartbeatAtMs += heartbeatIntervalMs;
            if (nextHeartbeatAtMs <= now) {
                // The loop fell behind (a long stop, a clock jump): one heartbeat, not a burst.
                nextHeartbeatAtMs = now + heartbeatIntervalMs;
            }
        }
        outbox.addAll(updates.due(now, MAX_RESENDS_PER_ROUND));
        tasks.escalateDue(now);
        if (now >= nextLogRotationAtMs) {
            tasks.rotateLogs();
            nextLogRotationAtMs = now + LOG_ROTATION_INTERVAL_MS;
        }
        executors.tick(now).forEach(this::enqueue);
        if (now >= nextGcAtMs) {
            // At the probe interval: a scan lists every sandbox, which is not free.
            java.util.Set<Path> inUse = new java.util.HashSet<>(tasks.sandboxesInUse());
            inUse.addAll(executors.sandboxesInUse());
            sandboxGc.scan(inUse);
            shuffleGc.scan(java.util.Set.of());
            nextGcAtMs = now + config.probeIntervalMs();
        }
        flushOutbox();
    }

    /** Milliseconds until the earliest timer, within [0, MAX_WAIT_MS]; 0 when exits wait. */
    private long waitMs(long now) {
        if (!exits.isEmpty() || !fetched.isEmpty() || executors.hasInput()) {
            return 0;
        }
        long next = now + MAX_WAIT_MS;
        next = Math.min(next, registered ? nextHeartbeatAtMs : nextRegisterAtMs);
        if (reregistering) {
            next = Math.min(next, nextRegisterAtMs);
        }
        next = Math.min(next, resources.nextProbeAtMs());
        next = Math.min(next, updates.nextResendAtMs().orElse(Long.MAX_VALUE));
        next = Math.min(next, tasks.nextEscalationAtMs().orElse(Long.MAX_VALUE));
        next = Math.min(next, executors.nextTimerAtMs());
        next = Math.min(next, nextGcAtMs);
        next = Math.min(next, nextLogRotationAtMs);
        return Math.max(0, Math.min(MAX_WAIT_MS, next - now));
    }

    private void handle(CommandChannel.Received received) {
        ConsumerRecord<byte[], byte[]> r = received.record();
        if (!received.decoded()) {
            send(deadLetters.deadLetter(r, received.error()));
            return;
        }
        AgentCommand command = received.command();
        Object body = command.getBody();
        if (!registered && !(body instanceof AgentRegistered)) {
            // The master answers a registration before it sends anything for that run, and on
            // that registration it declares LOST the tasks of an earlier run of this agent that
            // this run did not recover. So whatever comes before the answer was meant for an
            // earlier run: running it now would run tasks the master no longer counts.
            LOG.info("agent {}: skipping {} at {}-{}@{}, sent before this run registered", agentId,
                    body == null ? "null" : body.getClass().getSimpleName(), r.topic(), r.partition(), r.offset());
            return;
        }
        if (body instanceof AgentRegistered registeredBody) {
            onRegistered(r, registeredBody);
        } else if (body instanceof LaunchTasks launch) {
            onLaunch(launch);
        } else if (body instanceof KillTask kill) {
            onKill(kill);
        } else if (body instanceof AcknowledgeUpdate ack) {
            onAcknowledge(ack);
        } else if (body instanceof ReconcileTasks reconcile) {
            onReconcile(reconcile);
        } else if (body instanceof ShutdownAgent shutdown) {
            LOG.warn("agent {}: the master asks it to shut down: {}", agentId, shutdown.getReason());
            // No wake-up needed: this is the loop thread, which checks the flag after this round.
            stopRequested = true;
            stopSignal.countDown();
        } else {
            LOG.warn("agent {}: ignoring a command of unknown kind at {}-{}@{}: {}", agentId, r.topic(), r.partition(), r.offset(),
                    body == null ? "null" : body.getClass().getSimpleName());
        }
    }

    private void onRegistered(ConsumerRecord<byte[], byte[]> r, AgentRegistered answer) {
        if (answer.getStartedAtMs() != 0 && answer.getStartedAtMs() != startedAtMs) {
            // The answer to a registration of another run of this agent (the master may read an
            // earlier run's registration late): the master does not know this run yet.
            LOG.info("agent {}: ignoring AgentRegistered at offset {}, which answers the run started at {}", agentId, r.offset(),
                    answer.getStartedAtMs());
            return;
        }
        if (!registered && r.offset() < channel.registrationFloor()) {
            LOG.info("agent {}: ignoring AgentRegistered at offset {}, which answered an earlier run", agentId, r.offset());
            return;
        }
        long now = clock.millis();
        reregistering = false;
        long interval = answer.getHeartbeatIntervalMs();
        heartbeatIntervalMs = interval > 0 ? Math.min(interval, AgentConfig.MAX_DURATION_MS) : config.heartbeatIntervalMs();
        if (!registered) {
            registered = true;
            nextHeartbeatAtMs = now + heartbeatIntervalMs;
            LOG.info("agent {} registered: heartbeat every {} ms, commands on partition {}", agentId, heartbeatIntervalMs,
                    answer.getCommandPartition());
        }
        int partition = answer.getCommandPartition();
        if (partition != channel.partition()) {
            int count = channel.partitionCount();
            if (partition < 0 || partition >= count) {
                LOG.error("agent {}: the master named partition {} of {}, which has {} partitions; staying on {}",
                        agentId, partition, Topics.AGENT_COMMANDS, count, channel.partition());
            } else {
                channel.switchTo(partition, r.timestamp());
            }
        }
    }

    /**
     * The machine changed: register again with the same start time, which the master takes as an
     * update of this run (it records the new total and offers it). Until registered, the pending
     * RegisterAgent resends carry the new total anyway.
     */
    private void onResourcesChanged(ResourceProbe.Report changed, long now) {
        LOG.info("agent {}: resources changed to {} with attributes {}", agentId, ResourceMath.format(changed.total()),
                changed.attributes());
        if (registered) {
            reregistering = true;
            registerDelayMs = registerBackoff.initialMs();
            nextRegisterAtMs = now;
        }
    }

    private void onLaunch(LaunchTasks launch) {
        String frameworkId = launch.getFrameworkId();
        if (stopRequested) {
            LOG.warn("agent {}: not launching {} tasks of framework {}: the agent is stopping", agentId, launch.getTasks().size(), frameworkId);
            return;
        }
        for (TaskInfo task : launch.getTasks()) {
            // Every running task will need one slot for its terminal update; a launch needs two
            // more (its first update and its own terminal one).
            // A task with URIs sends STARTING, RUNNING and a terminal update.
            // So does a task for an executor (STARTING when handed over).
            int needed = task.getExecutor() != null || (task.getCommand() != null && !task.getCommand().getUris().isEmpty()) ? 3 : 2;
            if (updates.free() - updatesOwed() < needed) {
                LOG.error("agent {}: refusing to launch task {} of framework {}: {} status updates wait for acknowledgement "
                                + "and {} tasks run (limit {} updates); the master will learn of it by reconciliation",
                        agentId, task.getTaskId(), frameworkId, updates.size(), tasks.running(), updates.maxSize());
                continue;
            }
            enqueue(task.getExecutor() != null ? executors.launch(frameworkId, task) : tasks.launch(frameworkId, task));
        }
    }

    private void onKill(KillTask kill) {
        String frameworkId = kill.getFrameworkId();
        String taskId = kill.getTaskId();
        switch (tasks.kill(frameworkId, taskId, kill.getGracePeriodMs())) {
            case KILLING -> { }
            case ALREADY_KILLING -> LOG.info("agent {}: task {} of framework {} is already being killed", agentId, taskId, frameworkId);
            case UNKNOWN -> {
                if (executors.kill(frameworkId, taskId, kill.getGracePeriodMs())) {
                    return;
                }
                if (updates.hasPending(frameworkId, taskId)) {
                    // It ended here and its terminal update is still on its way.
                    LOG.info("agent {}: kill of task {} of framework {}, which already ended", agentId, taskId, frameworkId);
                } else if (updates.free() - updatesOwed() < 1) {
                    LOG.error("agent {}: cannot report task {} of framework {} as LOST: {} status updates pending (limit)",
                            agentId, taskId, frameworkId, updates.size());
                } else {
                    LOG.info("agent {}: kill of unknown task {} of framework {}: reporting it LOST", agentId, taskId, frameworkId);
                    enqueue(statuses.status(frameworkId, taskId, TaskState.LOST, TaskStatusReason.NONE, "unknown task on this agent"));
                }
            }
        }
    }

    /**
     * The master lost touch with this agent and is back in touch: report each task it asks about
     * afresh. A running task reports a fresh RUNNING, even with updates pending (the framework
     * may have seen those before and drops them as repeats, still taking the task for
     * UNREACHABLE); one that ended has its terminal update pending, which says it all; one this
     * agent does not know is LOST.
     */
    private void onReconcile(ReconcileTasks reconcile) {
        for (TaskRef ref : reconcile.getTasks()) {
            String frameworkId = ref.getFrameworkId();
            String taskId = ref.getTaskId();
            boolean running = tasks.isRunning(frameworkId, taskId) || executors.has(frameworkId, taskId);
            boolean fetching = tasks.isFetching(frameworkId, taskId);
            if (!running && !fetching && updates.hasPending(frameworkId, taskId)) {
                continue;
            }
            if (updates.free() - updatesOwed() < 1) {
                LOG.error("agent {}: cannot reconcile task {} of framework {}: {} status updates pending (limit)",
                        agentId, taskId, frameworkId, updates.size());
                continue;
            }
            if (running) {
                enqueue(statuses.status(frameworkId, taskId, TaskState.RUNNING, TaskStatusReason.RECONCILIATION,
                        "still running after the master lost touch with this agent"));
            } else if (fetching) {
                enqueue(statuses.status(frameworkId, taskId, TaskState.STARTING, TaskStatusReason.RECONCILIATION,
                        "still fetching its URIs after the master lost touch with this agent"));
            } else {
                enqueue(statuses.status(frameworkId, taskId, TaskState.LOST, TaskStatusReason.RECONCILIATION,
                        "unknown task on this agent"));
            }
        }
    }

    private void onAcknowledge(AcknowledgeUpdate ack) {
        StatusUpdateQueue.Ack result = updates.acknowledge(ack.getFrameworkId(), ack.getTaskId(), ack.getUpdateId(), clock.millis());
        if (!result.matched()) {
            LOG.debug("agent {}: ignoring acknowledgement of update {} of task {}: not the pending one", agentId,
                    ack.getUpdateId(), ack.getTaskId());
            return;
        }
        try {
            journal.appendAck(ack.getFrameworkId(), ack.getTaskId(), ack.getUpdateId());
        } catch (RuntimeException e) {
            // The next run resends that update once more; the framework's client drops the repeat.
            LOG.error("agent {}: cannot journal the acknowledgement of update {} of task {}", agentId, ack.getUpdateId(),
                    ack.getTaskId(), e);
        }
        result.next().ifPresent(outbox::add);
    }

    /** Status updates the tasks here, command and executor tasks, will still send. */
    private int updatesOwed() {
        return tasks.updatesOwed() + executors.updatesOwed();
    }

    /** Called on a JDK process-reaper thread: queue the exit and wake the loop. */
    private void onExit(Tasks.Exit exit) {
        if (!exits.offer(exit)) {
            // Cannot happen: the queue holds as many exits as tasks may run.
            LOG.error("agent {}: exit queue full; lost the exit of task {}", agentId, exit.task().taskId);
        }
        wake();
    }

    /** Called on a fetch thread: queue the end of the fetch and wake the loop. */
    private void onFetched(Tasks.Fetched f) {
        if (!fetched.offer(f)) {
            // Cannot happen: the queue holds as many fetches as tasks may run.
            LOG.error("agent {}: fetch queue full; lost the fetch of task {}", agentId, f.task().task.getTaskId());
        }
        wake();
    }

    private void drainFetched() {
        List<Tasks.Fetched> drained = new ArrayList<>();
        fetched.drainTo(drained);
        for (Tasks.Fetched f : drained) {
            tasks.fetched(f).ifPresent(this::enqueue);
        }
    }

    /** Wakes the loop's poll up; any thread. */
    private void wake() {
        try {
            consumer.wakeup();
        } catch (RuntimeException e) {
            // the consumer is closed: the loop has stopped and takes no more input
        }
    }

    private void drainExits() {
        List<Tasks.Exit> drained = new ArrayList<>();
        exits.drainTo(drained);
        for (Tasks.Exit exit : drained) {
            enqueue(tasks.exited(exit));
            // After the terminal update is journaled: from now on the journal speaks for the task.
            TaskCheckpoint.delete(exit.task().sandbox);
        }
    }

    private void enqueue(TaskStatus status) {
        if (updates.free() < 1) {
            LOG.error("agent {}: dropping {} update of task {}: {} status updates pending (limit)", agentId, status.getState(),
                    status.getTaskId(), updates.size());
            return;
        }
        try {
            journal.appendUpdate(status);
        } catch (RuntimeException e) {
            // Still sent and resent by this run; only a restart before its acknowledgement loses it.
            LOG.error("agent {}: cannot journal the {} update of task {}; sending it anyway", agentId, status.getState(),
                    status.getTaskId(), e);
        }
        updates.add(status, clock.millis()).ifPresent(outbox::add);
    }

    /** Sends what is in the outbox: one StatusMessage per framework and size bound, in order. */
    private void flushOutbox() {
        if (outbox.isEmpty()) {
            return;
        }
        Map<String, List<TaskStatus>> byFramework = new LinkedHashMap<>();
        for (TaskStatus s : outbox) {
            byFramework.computeIfAbsent(s.getFrameworkId(), k -> new ArrayList<>()).add(s);
        }
        outbox.clear();
        for (var entry : byFramework.entrySet()) {
            byte[] key = entry.getKey().getBytes(StandardCharsets.UTF_8);
            for (List<TaskStatus> batch : StatusBatches.split(entry.getValue(), MAX_STATUS_MESSAGE_BYTES)) {
                StatusMessage message = StatusMessage.newBuilder()
                        .setHeader(Envelopes.header(agentId, clock))
                        .setAgentId(agentId)
                        .setUpdates(batch)
                        .build();
                send(new ProducerRecord<>(Topics.STATUS, key, Codecs.STATUS_MESSAGE.encode(message)));
            }
        }
    }

    private void sendRegister() {
        ResourceProbe.Report report = resources.current();
        RegisterAgent body = RegisterAgent.newBuilder()
                .setHostname(config.hostname())
                .setTotal(report.total())
                .setAttributes(report.attributes())
                .setReservations(config.reservations())
                .setAgentVersion(agentVersion)
                .setStartedAtMs(startedAtMs)
                .setHttpAddress(httpAddress)
                .setRecoveredTasks(recoveredTasks)
                .setRecoveredExecutors(recoveredExecutors)
                .build();
        LOG.info("agent {}: sending RegisterAgent ({} on {})", agentId, ResourceMath.format(report.total()), config.hostname());
        sendAgentMessage(body);
    }

    private void sendHeartbeat() {
        sendAgentMessage(AgentHeartbeat.newBuilder().setSequence(heartbeatSequence++).build());
    }

    private void sendAgentMessage(Object body) {
        AgentMessage message = AgentMessage.newBuilder()
                .setHeader(Envelopes.header(agentId, clock))
                .setAgentId(agentId)
                .setBody(body)
                .build();
        send(new ProducerRecord<>(Topics.AGENTS, agentId.getBytes(StandardCharsets.UTF_8), Codecs.AGENT_MESSAGE.encode(message)));
    }

    /** Sends without waiting; what fails is logged and, for updates and registration, resent by its timer. */
    private void send(ProducerRecord<byte[], byte[]> record) {
        try {
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    LOG.warn("agent {}: cannot send to {}: {}", agentId, record.topic(), error.toString());
                }
            });
        } catch (KafkaException | IllegalStateException e) {
            LOG.warn("agent {}: cannot send to {}: {}", agentId, record.topic(), e.toString());
        }
    }

    /**
     * Kills the tasks (SIGTERM, the configured grace period, SIGKILL), sends the heads of the
     * status FIFOs once (the KILLED updates among them; the journal keeps every unacknowledged
     * one, and the next run on this work directory resends them), stores the command position and
     * closes the clients.
     */
    private void shutdown() {
        try {
            executors.drain().forEach(this::enqueue);
            executors.stopAll(config.killGracePeriodMs()).forEach(this::enqueue);
            executors.flushCheckpoints();
            tasks.killAll(config.killGracePeriodMs());
            drainExits();
            drainFetched();
            tasks.abandonFetches().forEach(this::enqueue);
            outbox.clear();
            outbox.addAll(updates.heads());
            flushOutbox();
            if (updates.size() > 0) {
                LOG.info("agent {}: stopping with {} status updates unacknowledged", agentId, updates.size());
            }
        } catch (RuntimeException e) {
            LOG.error("agent {}: error while stopping its tasks", agentId, e);
        }
        if (channelOpen) {
            try {
                channel.savePosition();
            } catch (RuntimeException e) {
                LOG.warn("agent {}: cannot store the command position at stop: {}", agentId, e.toString());
            }
        }
        try {
            producer.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.warn("agent {}: closing the producer: {}", agentId, e.toString());
        }
        try {
            channel.close();
        } catch (RuntimeException e) {
            LOG.warn("agent {}: closing the consumer: {}", agentId, e.toString());
        }
        LOG.info("agent {} stopped", agentId);
    }

    private void pause(long ms) {
        try {
            stopSignal.await(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopRequested = true;
        }
    }
}
