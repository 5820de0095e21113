package io.drover.agent;

import io.drover.api.kafka.KafkaClients;
import io.drover.api.protocol.Resources;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Drover node agent: it reports this machine's resources to the master over drover.agents,
 * runs the tasks the master sends on its partition of drover.agent-commands as OS processes in
 * sandboxes under its work directory, and reports their status on drover.status until each
 * update is acknowledged.
 *
 * <p>Life cycle: the constructor locks the work directory, loads (or creates) the agent id and
 * measures the machine; {@link #start()} connects to Kafka and starts the loop thread, which
 * registers and then heartbeats; {@link #close()} kills the tasks (SIGTERM, the grace period,
 * SIGKILL), stops the thread, closes the clients and releases the lock. A ShutdownAgent command
 * stops the loop the same way; {@link #awaitTermination(Duration)} tells when, and the owner then
 * calls {@link #close()} to release the work directory.
 *
 * <p>Thread-safe.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    /** Fetches that run at once; the others wait in the fetch executor's queue. */
    private static final int FETCH_THREADS = 2;

    private final AgentConfig config;
    private final Clock clock;
    private final WorkDir workDir;
    private final ResourceWatch.Source machine;
    private final ResourceProbe.Report initialReport;
    private final StatusJournal journal;
    private ExecutorService probeExecutor;
    /** Fetches tasks' URIs: a few threads, a queue bounded by the tasks that may run. */
    private ExecutorService fetchExecutor;
    private Isolator isolator;
    private ScheduledExecutorService memoryExecutor;
    private final long createdAtMs;
    private volatile AgentLoop loop;
    private Thread thread;
    private AgentHttpServer http;
    private volatile String httpAddress = "";
    private boolean closed;

    /** An agent on the system clock; see {@link #Agent(AgentConfig, Clock)}. */
    public Agent(AgentConfig config) {
        this(config, Clock.systemUTC());
    }

    /**
     * Locks the work directory, loads or creates the agent id, and measures the machine. Nothing
     * touches Kafka until {@link #start()}.
     *
     * @param clock the time for every timer (registration, heartbeats, resends, kills) and message
     * @throws IllegalStateException when another agent holds the work directory, or its stored
     *     agent id is not valid
     * @throws java.io.UncheckedIOException when the work directory cannot be created or read
     */
    public Agent(AgentConfig config, Clock clock) {
        this(config, clock, machineSource(config));
    }

    /** An agent that measures the machine with {@code machine}, at start and then every probe interval. */
    Agent(AgentConfig config, Clock clock, ResourceWatch.Source machine) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.machine = Objects.requireNonNull(machine, "machine");
        this.createdAtMs = clock.millis();
        this.workDir = WorkDir.open(config.workDir(), config.agentIdOverride(), config.hostname(), new SecureRandom());
        try {
            this.initialReport = ResourceProbe.report(machine.measure(), config);
            this.journal = StatusJournal.open(workDir.journalDir(), journalCompactAfterEntries(config), clock.millis());
        } catch (RuntimeException e) {
            workDir.close();
            throw e;
        }
    }

    /**
     * Connects to Kafka and starts the loop thread, which registers with the master. Returns at
     * once; {@link #isRegistered()} turns true when the master answers. Calling it again does
     * nothing.
     *
     * @throws IllegalStateException when the agent was closed
     */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("agent " + agentId() + " is closed");
        }
        if (loop != null) {
            return;
        }
        // First, so that an agent told to use cgroups it cannot have stops before connecting.
        isolator = Isolators.create(config.isolation(), Isolators.CGROUP_ROOT, agentId(), this::memoryMonitor);
        String clientId = "drover-agent-" + agentId();
        KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(KafkaClients.producerProps(config.bootstrap(), clientId));
        KafkaConsumer<byte[], byte[]> consumer;
        try {
            consumer = KafkaClients.consumer(KafkaClients.consumerProps(config.bootstrap(), clientId));
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            closeIsolator();
            throw e;
        }
        probeExecutor = Executors.newSingleThreadExecutor(r -> {
            // A daemon: a measurement stuck in a hung file system must not keep the JVM alive.
            Thread t = new Thread(r, "drover-agent-probe-" + agentId());
            t.setDaemon(true);
            return t;
        });
        fetchExecutor = new ThreadPoolExecutor(FETCH_THREADS, FETCH_THREADS, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(config.maxRunningTasks()), r -> {
                    // A daemon: a download stuck on a silent server must not keep the JVM alive.
                    Thread t = new Thread(r, "drover-agent-fetch-" + agentId());
                    t.setDaemon(true);
                    return t;
                });
        String httpAddress = "";
        if (!config.httpListen().isEmpty()) {
            HttpListen listen = HttpListen.parse(config.httpListen());
            try {
                http = new AgentHttpServer(listen, workDir.sandboxesRoot(), workDir.shuffleRoot(), agentId());
            } catch (RuntimeException e) {
                producer.close(Duration.ZERO);
                consumer.close(Duration.ZERO);
                probeExecutor.shutdownNow();
                fetchExecutor.shutdownNow();
                closeIsolator();
                throw new IllegalStateException("agent " + agentId() + " cannot serve HTTP on " + config.httpListen() + ": " + e.getMessage(), e);
            }
            // A wildcard address names no host to connect to: advertise the agent's host name.
            String host = listen.wildcard() ? config.hostname() : listen.host();
            httpAddress = (host.contains(":") ? "[" + host + "]" : host) + ":" + http.port();
        }
        this.httpAddress = httpAddress;
        loop = new AgentLoop(config, clock, workDir, machine, probeExecutor, fetchExecutor, initialReport, version(), createdAtMs,
                producer, consumer, httpAddress, isolator, journal);
        thread = new Thread(loop, "drover-agent-" + agentId());
        thread.start();
        LOG.info("agent {} started on {} with work dir {}", agentId(), config.hostname(), workDir.dir());
    }

    /**
     * Stops the agent: kills its tasks with the configured grace period, sends their last
     * updates, stops the loop thread, closes the Kafka clients and releases the work directory.
     * Blocks until all that is done; calling it again does nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (loop != null) {
            loop.requestStop();
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            probeExecutor.shutdownNow();
            fetchExecutor.shutdownNow();
            // After the loop: its shutdown released every task's guard.
            closeIsolator();
        }
        if (http != null) {
            http.close();
        }
        // After the loop, its one writer; before the lock, so that the next agent is the only one.
        journal.close();
        workDir.close();
    }

    /**
     * Waits until the loop thread has stopped (after {@link #close()} or a ShutdownAgent command).
     *
     * @return true when it stopped within the timeout; false when it is still running or was
     *     never started
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        AgentLoop l = loop;
        return l != null && l.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Entries a journal generation may hold before it is compacted: four times the pending bound
     * (so a compaction rewrites at most a quarter of what it drops), and at least 10,000.
     */
    static long journalCompactAfterEntries(AgentConfig config) {
        return Math.max(10_000L, 4L * config.maxPendingUpdates());
    }

    private MemoryMonitor memoryMonitor() {
        memoryExecutor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "drover-agent-memory-" + agentId());
            t.setDaemon(true);
            return t;
        });
        return new MemoryMonitor(MemoryMonitor.oshiResidentBytes()).start(memoryExecutor, config.memoryCheckIntervalMs());
    }

    private void closeIsolator() {
        isolator.close();
        if (memoryExecutor != null) {
            memoryExecutor.shutdownNow();
        }
    }

    /** This agent's id, stable across restarts on the same work directory. */
    public String agentId() {
        return workDir.agentId();
    }

    /**
     * What this agent reports to the master: the machine's resources after overrides and reserve,
     * as last measured.
     */
    public Resources totalResources() {
        return Resources.newBuilder(report().total()).build();
    }

    /** The attributes this agent reports: the config's, plus what it learned of its hardware. */
    public Map<String, String> attributes() {
        return report().attributes();
    }

    private ResourceProbe.Report report() {
        AgentLoop l = loop;
        return l != null ? l.report() : initialReport;
    }

    /** The real machine: OSHI, the work directory's file store and nvidia-smi. */
    private static ResourceWatch.Source machineSource(AgentConfig config) {
        Objects.requireNonNull(config, "config");
        ResourceProbe.logGraphicsCards();
        NvidiaSmi nvidiaSmi = new NvidiaSmi(config.nvidiaSmiCommand(), NvidiaSmi.DEFAULT_TIMEOUT);
        return () -> ResourceProbe.measure(config.workDir(), nvidiaSmi);
    }

    /**
     * Status updates journaled and waiting for the framework's acknowledgement, as of the loop's
     * last round; 0 before {@link #start()}.
     */
    int pendingUpdates() {
        AgentLoop l = loop;
        return l != null ? l.pendingUpdates() : 0;
    }

    /** True once the master has answered this run's RegisterAgent. */
    public boolean isRegistered() {
        AgentLoop l = loop;
        return l != null && l.isRegistered();
    }

    /**
     * Where the agent's HTTP server can be reached, as {@code host:port}, once {@link #start()}ed;
     * "" before that or when it serves no HTTP.
     */
    public String httpAddress() {
        return httpAddress;
    }

    public AgentConfig config() {
        return config;
    }

    /** The agent's software version, from the jar manifest ("dev" when run from classes). */
    static String version() {
        String v = Agent.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
