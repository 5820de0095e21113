package io.drover.cli.local;

import io.drover.agent.Agent;
import io.drover.agent.AgentConfig;
import io.drover.api.ResourceMath;
import io.drover.broker.EmbeddedKafka;
import io.drover.master.Master;
import io.drover.master.MasterConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import oshi.SystemInfo;
import oshi.hardware.GlobalMemory;

/**
 * A whole Drover cluster on one machine: a real single-node Kafka broker (its own JVM), a master
 * and N agents (in this JVM, each with its own work directory, running tasks as real processes).
 * The agents split the machine between them rather than each offering all of it. Used by
 * {@code drover local}, {@code drover demo} and the integration tests.
 */
public final class LocalCluster implements AutoCloseable {
    /** Memory kept back for the broker, the master and the OS: a quarter of the machine, at most 2 GiB. */
    static final long MAX_SYSTEM_RESERVE_MB = 2048;
    private static final Duration MASTER_START_TIMEOUT = Duration.ofMinutes(2);

    private final Path dataDir;
    private EmbeddedKafka kafka;
    private Master master;
    private final List<Agent> agents = new ArrayList<>();
    private final List<Path> agentDirs = new ArrayList<>();
    private io.drover.job.service.JobService jobService;

    private LocalCluster(Path dataDir) {
        this.dataDir = dataDir;
    }

    /**
     * Starts broker, master and agents, and waits until the master leads and every agent is
     * registered.
     *
     * @param port the broker's client port; 0 picks a free one
     * @throws IOException when the broker cannot start (e.g. its port is taken)
     */
    public static LocalCluster start(Path dataDir, int agentCount, int port) throws IOException, InterruptedException {
        return start(dataDir, agentCount, port, 0);
    }

    /**
     * As {@link #start(Path, int, int)}, with the master's HTTP API on {@code httpPort} of
     * localhost (0 picks a free port).
     */
    public static LocalCluster start(Path dataDir, int agentCount, int port, int httpPort) throws IOException, InterruptedException {
        if (agentCount < 1 || agentCount > 64) {
            throw new IllegalArgumentException("--agents must be between 1 and 64, was " + agentCount);
        }
        LocalCluster cluster = new LocalCluster(dataDir.toAbsolutePath());
        try {
            cluster.startAll(agentCount, port, httpPort);
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private void startAll(int agentCount, int port, int httpPort) throws IOException, InterruptedException {
        Files.createDirectories(dataDir);
        kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), port, 0);
        master = new Master(MasterConfig.defaults(kafka.bootstrap(), dataDir.resolve("master")).withMasterId("local-master")
                .withHttpListen("localhost:" + httpPort), Clock.systemUTC());
        master.start();
        if (!master.awaitActive(MASTER_START_TIMEOUT)) {
            throw new IllegalStateException("the master did not become active within " + MASTER_START_TIMEOUT.toSeconds() + " s");
        }
        Share share = share(agentCount);
        for (int i = 1; i <= agentCount; i++) {
            Path dir = dataDir.resolve("agent-" + i);
            AgentConfig config = AgentConfig.builder(kafka.bootstrap(), dir)
                    .cpus(share.cpus())
                    .memMb(share.memMb())
                    .diskMb(share.diskMb())
                    // Each its own free port: several agents share this host.
                    .httpListen("localhost:0")
                    .build();
            Agent agent = new Agent(config);
            agent.start();
            agents.add(agent);
            agentDirs.add(dir);
        }
        long deadline = System.nanoTime() + MASTER_START_TIMEOUT.toNanos();
        for (Agent agent : agents) {
            while (!agent.isRegistered()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("agent " + agent.agentId() + " did not register with the master");
                }
                Thread.sleep(20); // NOPMD: waiting on another thread's progress, bounded by the deadline
            }
        }
    }

    /** Each agent's part of this machine. */
    record Share(double cpus, long memMb, long diskMb) {}

    Share share(int agentCount) throws IOException {
        GlobalMemory memory = new SystemInfo().getHardware().getMemory();
        long totalMb = memory.getTotal() / (1024 * 1024);
        long reserve = Math.min(MAX_SYSTEM_RESERVE_MB, totalMb / 4);
        int cpus = Runtime.getRuntime().availableProcessors();
        long diskMb = Files.getFileStore(dataDir).getUsableSpace() / (1024 * 1024);
        return new Share((double) cpus / agentCount, (totalMb - reserve) / agentCount, diskMb / 2 / agentCount);
    }

    /**
     * Starts the job service on this cluster (state under {@code <data dir>/jobs}), with each task
     * given half an agent's CPUs so that two run on each agent, and waits until it has subscribed.
     */
    public synchronized io.drover.job.service.JobService startJobService() throws InterruptedException {
        if (jobService == null) {
            double agentCpus = agents.isEmpty() ? 1 : agents.get(0).totalResources().getCpus();
            io.drover.job.service.JobServiceConfig config = io.drover.job.service.JobServiceConfig
                    .defaults(kafka.bootstrap(), dataDir.resolve("jobs"))
                    .withTaskCpus(Math.max(0.1, Math.floor(agentCpus / 2 * 100) / 100))
                    .withLocalityWaitMs(500)
                    // Agents of a local cluster are on this host.
                    .withHttpListen("127.0.0.1:0");
            io.drover.job.service.JobService service = new io.drover.job.service.JobService(config, Clock.systemUTC());
            service.start();
            if (!service.awaitReady(MASTER_START_TIMEOUT)) {
                service.close();
                throw new IllegalStateException("the job service did not subscribe within " + MASTER_START_TIMEOUT.toSeconds() + " s");
            }
            jobService = service;
        }
        return jobService;
    }

    /** Stops the job service and starts a new one, which resumes the unfinished jobs (for tests and demos). */
    public synchronized io.drover.job.service.JobService restartJobService() throws InterruptedException {
        if (jobService != null) {
            jobService.close();
            jobService = null;
        }
        return startJobService();
    }

    /** The job service, or null when not started. */
    public synchronized io.drover.job.service.JobService jobService() {
        return jobService;
    }

    public String bootstrap() {
        return kafka.bootstrap();
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public Master master() {
        return master;
    }

    public List<Agent> agents() {
        return Collections.unmodifiableList(agents);
    }

    public Path dataDir() {
        return dataDir;
    }

    /** A few lines saying where everything is. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("  Kafka bootstrap  %s%n", kafka.bootstrap()));
        sb.append(String.format("  broker data      %s (log: %s)%n", kafka.dataDir(), kafka.logFile()));
        sb.append(String.format("  master           epoch %d, state in %s%n", master.epoch(), dataDir.resolve("master")));
        for (int i = 0; i < agents.size(); i++) {
            Agent a = agents.get(i);
            sb.append(String.format("  agent %-10s %s, work dir %s%n", a.agentId(),
                    ResourceMath.format(a.totalResources()), agentDirs.get(i)));
        }
        sb.append(String.format("  master HTTP      http://%s  (/api/v1/state, /metrics, /health)%n", master.httpAddress()));
        return sb.toString();
    }

    /** Stops agents (killing their tasks), then the master, then the broker. Idempotent. */
    @Override
    public synchronized void close() {
        if (jobService != null) {
            jobService.close();
            jobService = null;
        }
        for (Agent agent : agents) {
            try {
                agent.close();
            } catch (RuntimeException e) {
                // keep stopping the rest
            }
        }
        agents.clear();
        if (master != null) {
            master.close();
            master = null;
        }
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }
}
