package io.drover.cli;

import io.drover.agent.Agent;
import io.drover.agent.AgentConfig;
import io.drover.agent.ExecutorConfig;
import io.drover.agent.PortRanges;
import io.drover.api.ResourceMath;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "agent", mixinStandardHelpOptions = true,
        subcommands = {AgentDrainCommand.Drain.class, AgentDrainCommand.Undrain.class},
        description = "Run an agent on this machine against a Kafka cluster until Ctrl-C.")
final class AgentCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    // Not required by picocli: `drover agent drain ID` needs none; call() checks it.
    @Option(names = "--work-dir", description = "the agent's work directory (locked while it runs)")
    Path workDir;

    @Option(names = "--cpus", description = "CPUs to offer instead of the measured count")
    Double cpus;

    @Option(names = "--mem", converter = Units.MbConverter.class, description = "memory to offer instead of the measured total, as 4g")
    Long memMb;

    @Option(names = "--disk", converter = Units.MbConverter.class, description = "disk to offer instead of the work dir's file store size")
    Long diskMb;

    @Option(names = "--gpus", description = "GPUs to offer instead of the number nvidia-smi lists")
    Integer gpus;

    @Option(names = "--nvidia-smi", defaultValue = AgentConfig.DEFAULT_NVIDIA_SMI_COMMAND,
            description = "the nvidia-smi command that lists the GPUs; when it cannot run, none are offered (default: ${DEFAULT-VALUE})")
    String nvidiaSmi;

    @Option(names = "--reserve-cpus", defaultValue = "0", description = "CPUs kept for the system (default: ${DEFAULT-VALUE})")
    double reserveCpus;

    @Option(names = "--reserve-mem", defaultValue = "0", converter = Units.MbConverter.class,
            description = "memory kept for the system (default: ${DEFAULT-VALUE})")
    long reserveMemMb;

    @Option(names = "--reserve-disk", defaultValue = "0", converter = Units.MbConverter.class,
            description = "disk kept for the system (default: ${DEFAULT-VALUE})")
    long reserveDiskMb;

    @Option(names = "--reserve-gpus", defaultValue = "0", description = "GPUs kept for the system (default: ${DEFAULT-VALUE})")
    int reserveGpus;

    @Option(names = "--ports", paramLabel = "RANGES",
            description = "TCP port ranges offered for tasks, as 31000-32000[,40000-40100]; empty for none (default: 31000-32000)")
    String ports;

    @Option(names = "--probe-interval", defaultValue = "30s",
            description = "how often to measure the machine again; a changed total is registered again (default: ${DEFAULT-VALUE})")
    String probeInterval;

    @Option(names = "--attribute", paramLabel = "KEY=VALUE", description = "a label offered with this agent's resources, as rack=r1 (repeatable)")
    Map<String, String> attributes = Map.of();

    @Option(names = "--reservation", paramLabel = "ROLE=RESOURCES",
            description = "reserve part of this agent for a role, as analytics=cpus=2,mem=4g (repeatable); offered only to that role's frameworks")
    Map<String, String> reservations = Map.of();

    @Option(names = "--http-listen", paramLabel = "HOST:PORT", defaultValue = AgentConfig.DEFAULT_HTTP_LISTEN,
            description = "where to serve task logs over HTTP; port 0 picks one; \"\" for none (default: ${DEFAULT-VALUE})")
    String httpListen;

    @Option(names = "--log-max-size", converter = Units.MbConverter.class, defaultValue = "10m",
            description = "size at which a task's stdout or stderr rolls over to stdout.1 (default: ${DEFAULT-VALUE})")
    long logMaxMb;

    @Option(names = "--log-max-files", defaultValue = "" + AgentConfig.DEFAULT_LOG_MAX_FILES,
            description = "rolled-over files kept per task output stream (default: ${DEFAULT-VALUE})")
    int logMaxFiles;

    @Option(names = "--sandbox-max-age", defaultValue = "168h",
            description = "how long a finished task's sandbox is kept (default: ${DEFAULT-VALUE})")
    String sandboxMaxAge;

    @Option(names = "--sandbox-min-free-disk", paramLabel = "PERCENT", defaultValue = "" + AgentConfig.DEFAULT_SANDBOX_MIN_FREE_DISK_PERCENT,
            description = "below this share of free disk, finished sandboxes are deleted oldest first (default: ${DEFAULT-VALUE})")
    int sandboxMinFreeDiskPercent;

    @Option(names = "--isolation", paramLabel = "auto|cgroups|monitor", defaultValue = "auto",
            description = "how tasks are held to their cpus and memory: cgroups (v2 where /sys/fs/cgroup is unified, else v1), memory monitoring (cpus not enforced), "
                    + "or auto, cgroups when writable (default: ${DEFAULT-VALUE})")
    String isolation;

    @Option(names = "--recover", paramLabel = "reattach|cleanup", defaultValue = "reattach",
            description = "tasks and executors an earlier run on this work dir left running: re-attach to them, or kill them "
                    + "(reported KILLED, reason AGENT_SHUTDOWN); tasks that ended meanwhile report their exit code either way "
                    + "(default: ${DEFAULT-VALUE})")
    String recover;

    @Option(names = "--max-executors", defaultValue = "" + ExecutorConfig.DEFAULT_MAX_EXECUTORS,
            description = "executor processes that may run at once (default: ${DEFAULT-VALUE})")
    int maxExecutors;

    @Option(names = "--executor-idle-timeout", defaultValue = "60s",
            description = "an executor without tasks this long is told to shut down (default: ${DEFAULT-VALUE})")
    String executorIdleTimeout;

    @Option(names = "--executor-heartbeat-timeout", defaultValue = "15s",
            description = "an executor silent this long is killed and its tasks fail with EXECUTOR_TERMINATED; also how long an "
                    + "executor whose agent crashed waits, its tasks running, for a new agent run to re-attach (default: ${DEFAULT-VALUE})")
    String executorHeartbeatTimeout;

    @Option(names = "--executor-busy-spin",
            description = "readers of the executor queues spin instead of backing off: lower latency, one CPU per reader")
    boolean executorBusySpin;

    @Override
    public Integer call() throws Exception {
        if (workDir == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing required option: '--work-dir=<workDir>'");
        }
        Map<String, io.drover.api.protocol.Resources> reserved = new java.util.LinkedHashMap<>();
        try {
            reservations.forEach((role, amount) -> reserved.put(role, Units.parseResources(amount)));
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--reservation: " + e.getMessage());
        }
        AgentConfig.Builder b = AgentConfig.builder(cluster.bootstrap(), workDir)
                .reserveCpus(reserveCpus).reserveMemMb(reserveMemMb).reserveDiskMb(reserveDiskMb).reserveGpus(reserveGpus)
                .nvidiaSmiCommand(nvidiaSmi).attributes(attributes)
                .reservations(reserved);
        if (cpus != null) {
            b.cpus(cpus);
        }
        if (memMb != null) {
            b.memMb(memMb);
        }
        if (diskMb != null) {
            b.diskMb(diskMb);
        }
        if (gpus != null) {
            b.gpus(gpus);
        }
        AgentConfig config;
        try {
            if (ports != null) {
                b.ports(PortRanges.parse(ports));
            }
            b.probeIntervalMs(Units.parseDuration(probeInterval).toMillis());
            b.httpListen(httpListen).logMaxBytes(logMaxMb * 1024 * 1024).logMaxFiles(logMaxFiles)
                    .sandboxMaxAgeMs(Units.parseDuration(sandboxMaxAge).toMillis())
                    .sandboxMinFreeDiskPercent(sandboxMinFreeDiskPercent);
            try {
                b.isolation(AgentConfig.Isolation.valueOf(isolation.trim().toUpperCase(java.util.Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--isolation must be auto, cgroups or monitor, was '" + isolation + "'");
            }
            try {
                b.recovery(AgentConfig.Recovery.valueOf(recover.trim().toUpperCase(java.util.Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--recover must be reattach or cleanup, was '" + recover + "'");
            }
            b.executors(new ExecutorConfig(maxExecutors, ExecutorConfig.DEFAULT_MAX_TASKS_PER_EXECUTOR,
                    ExecutorConfig.DEFAULT_HEARTBEAT_INTERVAL_MS, Units.parseDuration(executorHeartbeatTimeout).toMillis(),
                    Units.parseDuration(executorIdleTimeout).toMillis(), ExecutorConfig.DEFAULT_HANDOFF_CAPACITY, executorBusySpin));
            config = b.build();
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Agent agent = new Agent(config);
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "agent-stop"));
        agent.start();
        System.out.println("agent " + agent.agentId() + " offers " + ResourceMath.format(agent.totalResources())
                + " on " + cluster.bootstrap()
                + (agent.httpAddress().isEmpty() ? "" : "; task logs at http://" + agent.httpAddress()) + ". Press Ctrl-C to stop.");
        System.out.flush();
        // Runs until Ctrl-C, or until the master shuts the agent down.
        while (!agent.awaitTermination(Duration.ofSeconds(1))) {
            // keep serving
        }
        agent.close();
        return 0;
    }
}
