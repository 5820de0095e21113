package io.drover.agent;

import io.drover.api.Ids;
import io.drover.api.ResourceMath;
import io.drover.api.protocol.PortRange;
import io.drover.api.protocol.Resources;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Everything one agent needs to know, validated once when built. Build it with
 * {@link #builder(String, Path)}; every setting has a default ({@code DEFAULT_*}) and a check, and
 * the constructor throws {@link IllegalArgumentException} naming the setting, its rule and the
 * value that broke it.
 *
 * @param bootstrap Kafka bootstrap servers, {@code host:port[,host:port...]}
 * @param workDir the agent's work directory: lock, agent id, command position and sandboxes
 * @param agentIdOverride an agent id to use instead of the one stored in (or generated for) the
 *     work directory; it is stored there for later runs
 * @param cpusOverride logical CPUs to report instead of the measured count, before the reserve
 * @param memOverrideMb memory in MiB to report instead of the measured total, before the reserve
 * @param diskOverrideMb disk in MiB to report instead of the measured disk (what is free in the work
 *     directory's file store plus what running tasks were given), before the reserve
 * @param gpusOverride GPUs to report instead of the number nvidia-smi lists, before the reserve
 * @param reserveCpus CPUs kept for the system (subtracted from the total; never below zero)
 * @param reserveMemMb memory in MiB kept for the system
 * @param reserveDiskMb disk in MiB kept for the system
 * @param reserveGpus GPUs kept for the system
 * @param attributes labels such as rack or zone, passed on to frameworks in offers
 * @param reservations parts of the total reserved for roles (static reservations): offered only
 *     to frameworks of that role; the master checks that they fit in the total
 * @param ports TCP port ranges (inclusive) that tasks on this agent may use, offered in its total;
 *     within [1, 65535], not overlapping (see {@link PortRanges}); stored sorted, adjacent ones merged
 * @param hostname the name frameworks should reach this host by
 * @param heartbeatIntervalMs heartbeat interval used when the master's AgentRegistered names none
 * @param killGracePeriodMs time between SIGTERM and SIGKILL when the agent itself kills its tasks
 *     (at close or shutdown); a KillTask command carries its own grace period
 * @param registerRetryInitialMs first delay before RegisterAgent is sent again
 * @param registerRetryMaxMs longest delay between RegisterAgent resends (the delay doubles)
 * @param statusRetryInitialMs first delay before an unacknowledged status update is resent
 * @param statusRetryMaxMs longest delay between resends of one status update (the delay doubles)
 * @param maxPendingUpdates status updates kept until acknowledged, all tasks together; when full,
 *     the agent refuses new launches
 * @param maxRunningTasks tasks that may run at once; further launches fail with LAUNCH_FAILED
 * @param nvidiaSmiCommand the nvidia-smi executable that lists the GPUs: a name looked up on the
 *     PATH or a path; when it cannot be run the agent reports no GPUs
 * @param probeIntervalMs time between measurements of the machine; when what the agent reports
 *     changes, it sends RegisterAgent again
 * @param logMaxBytes most bytes in a task's {@code stdout} or {@code stderr} file before it rolls
 *     over to {@code stdout.1} (the older ones move up a number)
 * @param logMaxFiles rolled files kept per output stream ({@code stdout.1} to {@code stdout.N});
 *     older ones are deleted, so a stream takes at most {@code logMaxBytes * (logMaxFiles + 1)}
 * @param httpListen where the agent's HTTP server (task logs) listens, as {@code host:port}
 *     ({@code 0.0.0.0:5051} by default; port 0 picks a free port); "" serves no HTTP
 * @param sandboxMaxAgeMs how long the sandbox of a finished task is kept after its last change
 * @param sandboxMinFreeDiskPercent when less than this share of the work dir's file system is
 *     free, the sandboxes of finished tasks are deleted, oldest first, even before their age
 * @param isolation how tasks are held to their cpus and memory (see {@link Isolation})
 * @param memoryCheckIntervalMs time between samples of each task's resident memory under
 *     {@link Isolation#MONITOR}; a task may exceed its memory for about this long before it is killed
 * @param fetchMaxFileBytes most bytes of one file fetched for a task's URIs; a larger one fails the task
 * @param fetchCacheMaxBytes most bytes kept in the work dir's {@code cache/} of fetched files with a
 *     sha256; the least recently used are deleted beyond it (0 caches nothing)
 * @param executors how executors are run and watched (see {@link ExecutorConfig})
 */
public record AgentConfig(
        String bootstrap,
        Path workDir,
        Optional<String> agentIdOverride,
        OptionalDouble cpusOverride,
        OptionalLong memOverrideMb,
        OptionalLong diskOverrideMb,
        OptionalInt gpusOverride,
        double reserveCpus,
        long reserveMemMb,
        long reserveDiskMb,
        int reserveGpus,
        Map<String, String> attributes,
        Map<String, Resources> reservations,
        List<PortRange> ports,
        String hostname,
        long heartbeatIntervalMs,
        long killGracePeriodMs,
        long registerRetryInitialMs,
        long registerRetryMaxMs,
        long statusRetryInitialMs,
        long statusRetryMaxMs,
        int maxPendingUpdates,
        int maxRunningTasks,
        String nvidiaSmiCommand,
        long probeIntervalMs,
        long logMaxBytes,
        int logMaxFiles,
        String httpListen,
        long sandboxMaxAgeMs,
        int sandboxMinFreeDiskPercent,
        Isolation isolation,
        long memoryCheckIntervalMs,
        long fetchMaxFileBytes,
        long fetchCacheMaxBytes,
        ExecutorConfig executors) {

    /** How tasks are held to their cpus and memory. */
    public enum Isolation {
        /** cgroups v1 when this agent can write them, else {@link #MONITOR}. */
        AUTO,
        /** cgroups v1 memory and cpu limits; the agent does not start when it cannot write them. */
        CGROUPS,
        /** The agent samples each task's resident memory and kills a task over its memory; cpus are not enforced. */
        MONITOR
    }

    public static final double DEFAULT_RESERVE_CPUS = 0;
    public static final long DEFAULT_RESERVE_MEM_MB = 0;
    public static final long DEFAULT_RESERVE_DISK_MB = 0;
    public static final int DEFAULT_RESERVE_GPUS = 0;
    public static final String DEFAULT_NVIDIA_SMI_COMMAND = "nvidia-smi";
    /** Ports 31000-32000, as Mesos offers by default. */
    public static final List<PortRange> DEFAULT_PORTS = List.of(new PortRange(31_000, 32_000));
    /** Most bytes of one fetched file by default: 1 GiB. */
    public static final long DEFAULT_FETCH_MAX_FILE_BYTES = 1L << 30;
    /** Most bytes of the fetch cache by default: 2 GiB. */
    public static final long DEFAULT_FETCH_CACHE_MAX_BYTES = 2L << 30;
    /** Largest fetch limit: 1 TiB. */
    public static final long MAX_FETCH_BYTES = 1L << 40;
    public static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 5_000;
    public static final long DEFAULT_KILL_GRACE_PERIOD_MS = 3_000;
    public static final long DEFAULT_REGISTER_RETRY_INITIAL_MS = 500;
    public static final long DEFAULT_REGISTER_RETRY_MAX_MS = 5_000;
    public static final long DEFAULT_STATUS_RETRY_INITIAL_MS = 1_000;
    public static final long DEFAULT_STATUS_RETRY_MAX_MS = 30_000;
    public static final int DEFAULT_MAX_PENDING_UPDATES = 100_000;
    public static final int DEFAULT_MAX_RUNNING_TASKS = 10_000;
    public static final long DEFAULT_PROBE_INTERVAL_MS = 30_000;
    /** Shortest time between measurements: each one may run nvidia-smi. */
    public static final long MIN_PROBE_INTERVAL_MS = 1_000;
    public static final long DEFAULT_LOG_MAX_BYTES = 10L * 1024 * 1024;
    public static final long MIN_LOG_MAX_BYTES = 1024;
    public static final long MAX_LOG_MAX_BYTES = 1L << 40;
    public static final int DEFAULT_LOG_MAX_FILES = 5;
    public static final int MAX_LOG_MAX_FILES = 100;
    public static final String DEFAULT_HTTP_LISTEN = "0.0.0.0:5051";
    public static final long DEFAULT_SANDBOX_MAX_AGE_MS = 7L * 24 * 3600 * 1000;
    /** Longest a finished task's sandbox may be kept: a year. */
    public static final long MAX_SANDBOX_MAX_AGE_MS = 366L * 24 * 3600 * 1000;
    public static final int DEFAULT_SANDBOX_MIN_FREE_DISK_PERCENT = 10;
    public static final Isolation DEFAULT_ISOLATION = Isolation.AUTO;
    public static final long DEFAULT_MEMORY_CHECK_INTERVAL_MS = 250;
    /** Shortest time between memory samples: each one reads /proc for every task process. */
    public static final long MIN_MEMORY_CHECK_INTERVAL_MS = 50;

    /** Most attributes one agent may carry. */
    public static final int MAX_ATTRIBUTES = 64;
    /** Longest attribute key or value, in characters. */
    public static final int MAX_ATTRIBUTE_LENGTH = 256;
    /** Longest nvidia-smi command, in characters. */
    public static final int MAX_COMMAND_LENGTH = 4096;
    /** Longest any interval, delay or grace period may be: one day. */
    public static final long MAX_DURATION_MS = 24L * 3600 * 1000;
    /** Most status updates an agent may keep pending. */
    public static final int MAX_PENDING_UPDATES_LIMIT = 10_000_000;
    /** Most tasks an agent may run at once. */
    public static final int MAX_RUNNING_TASKS_LIMIT = 100_000;

    public AgentConfig {
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("bootstrap must name at least one Kafka broker as host:port, was '" + bootstrap + "'");
        }
        requirePresent(workDir, "workDir must be set");
        workDir = workDir.toAbsolutePath().normalize();
        agentIdOverride = requirePresent(agentIdOverride, "agentIdOverride must not be null (use Optional.empty())");
        agentIdOverride.ifPresent(id -> Ids.requireValid("agent id", id));
        cpusOverride = requirePresent(cpusOverride, "cpusOverride must not be null (use OptionalDouble.empty())");
        memOverrideMb = requirePresent(memOverrideMb, "memOverrideMb must not be null (use OptionalLong.empty())");
        diskOverrideMb = requirePresent(diskOverrideMb, "diskOverrideMb must not be null (use OptionalLong.empty())");
        if (cpusOverride.isPresent()) {
            requireCpus("cpusOverride", cpusOverride.getAsDouble());
        }
        if (memOverrideMb.isPresent()) {
            requireNonNegative("memOverrideMb", memOverrideMb.getAsLong());
        }
        if (diskOverrideMb.isPresent()) {
            requireNonNegative("diskOverrideMb", diskOverrideMb.getAsLong());
        }
        gpusOverride = requirePresent(gpusOverride, "gpusOverride must not be null (use OptionalInt.empty())");
        if (gpusOverride.isPresent()) {
            requireNonNegative("gpusOverride", gpusOverride.getAsInt());
        }
        requireCpus("reserveCpus", reserveCpus);
        requireNonNegative("reserveMemMb", reserveMemMb);
        requireNonNegative("reserveDiskMb", reserveDiskMb);
        requireNonNegative("reserveGpus", reserveGpus);
        attributes = checkedAttributes(attributes);
        reservations = checkedReservations(reservations);
        ports = PortRanges.checked(ports);
        if (hostname == null || hostname.isBlank()) {
            throw new IllegalArgumentException("hostname must not be blank");
        }
        requireDuration("heartbeatIntervalMs", heartbeatIntervalMs, 1);
        requireDuration("killGracePeriodMs", killGracePeriodMs, 0);
        java.util.Objects.requireNonNull(executors, "executors");
        requireDuration("registerRetryInitialMs", registerRetryInitialMs, 1);
        requireDuration("registerRetryMaxMs", registerRetryMaxMs, registerRetryInitialMs);
        requireDuration("statusRetryInitialMs", statusRetryInitialMs, 1);
        requireDuration("statusRetryMaxMs", statusRetryMaxMs, statusRetryInitialMs);
        if (maxPendingUpdates < 2 || maxPendingUpdates > MAX_PENDING_UPDATES_LIMIT) {
            throw new IllegalArgumentException("maxPendingUpdates must be in [2, " + MAX_PENDING_UPDATES_LIMIT + "], was " + maxPendingUpdates);
        }
        if (maxRunningTasks < 1 || maxRunningTasks > MAX_RUNNING_TASKS_LIMIT) {
            throw new IllegalArgumentException("maxRunningTasks must be in [1, " + MAX_RUNNING_TASKS_LIMIT + "], was " + maxRunningTasks);
        }
        if (nvidiaSmiCommand == null || nvidiaSmiCommand.isBlank() || nvidiaSmiCommand.length() > MAX_COMMAND_LENGTH
                || nvidiaSmiCommand.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("nvidiaSmiCommand must be a command name or path of 1 to " + MAX_COMMAND_LENGTH
                    + " characters without control characters, was '" + nvidiaSmiCommand + "'");
        }
        requireDuration("probeIntervalMs", probeIntervalMs, MIN_PROBE_INTERVAL_MS);
        if (logMaxBytes < MIN_LOG_MAX_BYTES || logMaxBytes > MAX_LOG_MAX_BYTES) {
            throw new IllegalArgumentException("logMaxBytes must be in [" + MIN_LOG_MAX_BYTES + ", " + MAX_LOG_MAX_BYTES + "], was " + logMaxBytes);
        }
        if (logMaxFiles < 0 || logMaxFiles > MAX_LOG_MAX_FILES) {
            throw new IllegalArgumentException("logMaxFiles must be in [0, " + MAX_LOG_MAX_FILES + "], was " + logMaxFiles);
        }
        httpListen = requirePresent(httpListen, "httpListen must not be null (use \"\" to serve no HTTP)").trim();
        if (!httpListen.isEmpty()) {
            HttpListen.parse(httpListen);
        }
        if (sandboxMaxAgeMs < 0 || sandboxMaxAgeMs > MAX_SANDBOX_MAX_AGE_MS) {
            throw new IllegalArgumentException("sandboxMaxAgeMs must be in [0, " + MAX_SANDBOX_MAX_AGE_MS + "] ms, was " + sandboxMaxAgeMs);
        }
        if (sandboxMinFreeDiskPercent < 0 || sandboxMinFreeDiskPercent > 100) {
            throw new IllegalArgumentException("sandboxMinFreeDiskPercent must be in [0, 100], was " + sandboxMinFreeDiskPercent);
        }
        requirePresent(isolation, "isolation must be one of auto, cgroups, monitor");
        requireDuration("memoryCheckIntervalMs", memoryCheckIntervalMs, MIN_MEMORY_CHECK_INTERVAL_MS);
        if (fetchMaxFileBytes < 1 || fetchMaxFileBytes > MAX_FETCH_BYTES) {
            throw new IllegalArgumentException("fetchMaxFileBytes must be in [1, " + MAX_FETCH_BYTES + "], was " + fetchMaxFileBytes);
        }
        if (fetchCacheMaxBytes < 0 || fetchCacheMaxBytes > MAX_FETCH_BYTES) {
            throw new IllegalArgumentException("fetchCacheMaxBytes must be in [0, " + MAX_FETCH_BYTES + "], was " + fetchCacheMaxBytes);
        }
    }

    /** A builder with every default set; only the bootstrap servers and the work dir are required. */
    public static Builder builder(String bootstrap, Path workDir) {
        return new Builder(bootstrap, workDir);
    }

    /** A builder that starts from this config's values. */
    public Builder toBuilder() {
        Builder b = new Builder(bootstrap, workDir);
        b.agentIdOverride = agentIdOverride;
        b.cpusOverride = cpusOverride;
        b.memOverrideMb = memOverrideMb;
        b.diskOverrideMb = diskOverrideMb;
        b.gpusOverride = gpusOverride;
        b.reserveCpus = reserveCpus;
        b.reserveMemMb = reserveMemMb;
        b.reserveDiskMb = reserveDiskMb;
        b.reserveGpus = reserveGpus;
        b.attributes = attributes;
        b.reservations = reservations;
        b.ports = ports;
        b.hostname = hostname;
        b.heartbeatIntervalMs = heartbeatIntervalMs;
        b.killGracePeriodMs = killGracePeriodMs;
        b.registerRetryInitialMs = registerRetryInitialMs;
        b.registerRetryMaxMs = registerRetryMaxMs;
        b.statusRetryInitialMs = statusRetryInitialMs;
        b.statusRetryMaxMs = statusRetryMaxMs;
        b.maxPendingUpdates = maxPendingUpdates;
        b.maxRunningTasks = maxRunningTasks;
        b.nvidiaSmiCommand = nvidiaSmiCommand;
        b.probeIntervalMs = probeIntervalMs;
        b.logMaxBytes = logMaxBytes;
        b.logMaxFiles = logMaxFiles;
        b.httpListen = httpListen;
        b.sandboxMaxAgeMs = sandboxMaxAgeMs;
        b.sandboxMinFreeDiskPercent = sandboxMinFreeDiskPercent;
        b.isolation = isolation;
        b.memoryCheckIntervalMs = memoryCheckIntervalMs;
        b.fetchMaxFileBytes = fetchMaxFileBytes;
        b.fetchCacheMaxBytes = fetchCacheMaxBytes;
        b.executors = executors;
        return b;
    }

    /** This machine's host name, or "localhost" when it cannot be resolved. */
    public static String localHostname() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            return name == null || name.isBlank() ? "localhost" : name;
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    private static <T> T requirePresent(T value, String message) {
        if (value == null) {
            throw new IllegalArgumentException(message);
        }
        return value;
    }

    private static void requireCpus(String name, double value) {
        if (!Double.isFinite(value) || value < 0) {
            throw new IllegalArgumentException(name + " must be a finite number >= 0, was " + value);
        }
    }

    private static void requireNonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + value);
        }
    }

    private static void requireDuration(String name, long valueMs, long minMs) {
        if (valueMs < minMs || valueMs > MAX_DURATION_MS) {
            throw new IllegalArgumentException(name + " must be in [" + minMs + ", " + MAX_DURATION_MS + "] ms, was " + valueMs);
        }
    }

    private static Map<String, Resources> checkedReservations(Map<String, Resources> reservations) {
        requirePresent(reservations, "reservations must not be null (use an empty map)");
        if (reservations.size() > MAX_ATTRIBUTES) {
            throw new IllegalArgumentException("at most " + MAX_ATTRIBUTES + " reservations are allowed, got " + reservations.size());
        }
        reservations.forEach((role, r) -> {
            if (role == null || role.isBlank() || role.equals("*") || role.length() > MAX_ATTRIBUTE_LENGTH) {
                throw new IllegalArgumentException("a reservation's role must be a name other than '*', was '" + role + "'");
            }
            if (!(r.getCpus() >= 0) || r.getMemMb() < 0 || r.getDiskMb() < 0 || r.getGpus() < 0) {
                throw new IllegalArgumentException("the reservation for role " + role + " must not be negative: " + ResourceMath.format(r));
            }
        });
        return Collections.unmodifiableMap(new LinkedHashMap<>(reservations));
    }

    private static Map<String, String> checkedAttributes(Map<String, String> attributes) {
        requirePresent(attributes, "attributes must not be null (use an empty map)");
        if (attributes.size() > MAX_ATTRIBUTES) {
            throw new IllegalArgumentException("at most " + MAX_ATTRIBUTES + " attributes are allowed, got " + attributes.size());
        }
        Map<String, String> copy = new LinkedHashMap<>();
        attributes.forEach((k, v) -> {
            if (k == null || k.isBlank() || k.length() > MAX_ATTRIBUTE_LENGTH) {
                throw new IllegalArgumentException("attribute keys must be 1 to " + MAX_ATTRIBUTE_LENGTH + " non-blank characters, got '" + k + "'");
            }
            if (v == null || v.length() > MAX_ATTRIBUTE_LENGTH) {
                throw new IllegalArgumentException("attribute '" + k + "' must have a value of at most " + MAX_ATTRIBUTE_LENGTH + " characters, got '" + v + "'");
            }
            copy.put(k, v);
        });
        return Collections.unmodifiableMap(copy);
    }

    /** Collects settings; {@link #build()} validates them. */
    public static final class Builder {
        private final String bootstrap;
        private final Path workDir;
        private Optional<String> agentIdOverride = Optional.empty();
        private OptionalDouble cpusOverride = OptionalDouble.empty();
        private OptionalLong memOverrideMb = OptionalLong.empty();
        private OptionalLong diskOverrideMb = OptionalLong.empty();
        private OptionalInt gpusOverride = OptionalInt.empty();
        private double reserveCpus = DEFAULT_RESERVE_CPUS;
        private long reserveMemMb = DEFAULT_RESERVE_MEM_MB;
        private long reserveDiskMb = DEFAULT_RESERVE_DISK_MB;
        private int reserveGpus = DEFAULT_RESERVE_GPUS;
        private Map<String, String> attributes = Map.of();
        private Map<String, Resources> reservations = Map.of();
        private List<PortRange> ports = DEFAULT_PORTS;
        private String hostname;
        private long heartbeatIntervalMs = DEFAULT_HEARTBEAT_INTERVAL_MS;
        private long killGracePeriodMs = DEFAULT_KILL_GRACE_PERIOD_MS;
        private long registerRetryInitialMs = DEFAULT_REGISTER_RETRY_INITIAL_MS;
        private long registerRetryMaxMs = DEFAULT_REGISTER_RETRY_MAX_MS;
        private long statusRetryInitialMs = DEFAULT_STATUS_RETRY_INITIAL_MS;
        private long statusRetryMaxMs = DEFAULT_STATUS_RETRY_MAX_MS;
        private int maxPendingUpdates = DEFAULT_MAX_PENDING_UPDATES;
        private int maxRunningTasks = DEFAULT_MAX_RUNNING_TASKS;
        private ExecutorConfig executors = ExecutorConfig.DEFAULTS;
        private String nvidiaSmiCommand = DEFAULT_NVIDIA_SMI_COMMAND;
        private long probeIntervalMs = DEFAULT_PROBE_INTERVAL_MS;
        private long logMaxBytes = DEFAULT_LOG_MAX_BYTES;
        private int logMaxFiles = DEFAULT_LOG_MAX_FILES;
        private String httpListen = DEFAULT_HTTP_LISTEN;
        private long sandboxMaxAgeMs = DEFAULT_SANDBOX_MAX_AGE_MS;
        private int sandboxMinFreeDiskPercent = DEFAULT_SANDBOX_MIN_FREE_DISK_PERCENT;
        private Isolation isolation = DEFAULT_ISOLATION;
        private long memoryCheckIntervalMs = DEFAULT_MEMORY_CHECK_INTERVAL_MS;
        private long fetchMaxFileBytes = DEFAULT_FETCH_MAX_FILE_BYTES;
        private long fetchCacheMaxBytes = DEFAULT_FETCH_CACHE_MAX_BYTES;

        private Builder(String bootstrap, Path workDir) {
            this.bootstrap = bootstrap;
            this.workDir = workDir;
        }

        public Builder agentId(String agentId) {
            this.agentIdOverride = Optional.ofNullable(agentId);
            return this;
        }

        public Builder cpus(double cpus) {
            this.cpusOverride = OptionalDouble.of(cpus);
            return this;
        }

        public Builder memMb(long memMb) {
            this.memOverrideMb = OptionalLong.of(memMb);
            return this;
        }

        public Builder diskMb(long diskMb) {
            this.diskOverrideMb = OptionalLong.of(diskMb);
            return this;
        }

        public Builder gpus(int gpus) {
            this.gpusOverride = OptionalInt.of(gpus);
            return this;
        }

        public Builder reserveCpus(double cpus) {
            this.reserveCpus = cpus;
            return this;
        }

        public Builder reserveMemMb(long memMb) {
            this.reserveMemMb = memMb;
            return this;
        }

        public Builder reserveDiskMb(long diskMb) {
            this.reserveDiskMb = diskMb;
            return this;
        }

        public Builder reserveGpus(int gpus) {
            this.reserveGpus = gpus;
            return this;
        }

        /** Static reservations: role to the part of the total kept for it. */
        public Builder reservations(Map<String, Resources> reservations) {
            this.reservations = reservations;
            return this;
        }

        /** Port ranges to offer; see {@link PortRanges#parse(String)} for the text form. */
        public Builder ports(List<PortRange> ports) {
            this.ports = ports;
            return this;
        }

        public Builder attributes(Map<String, String> attributes) {
            this.attributes = attributes;
            return this;
        }

        public Builder hostname(String hostname) {
            this.hostname = hostname;
            return this;
        }

        public Builder heartbeatIntervalMs(long ms) {
            this.heartbeatIntervalMs = ms;
            return this;
        }

        public Builder killGracePeriodMs(long ms) {
            this.killGracePeriodMs = ms;
            return this;
        }

        public Builder registerRetryInitialMs(long ms) {
            this.registerRetryInitialMs = ms;
            return this;
        }

        public Builder registerRetryMaxMs(long ms) {
            this.registerRetryMaxMs = ms;
            return this;
        }

        public Builder statusRetryInitialMs(long ms) {
            this.statusRetryInitialMs = ms;
            return this;
        }

        public Builder statusRetryMaxMs(long ms) {
            this.statusRetryMaxMs = ms;
            return this;
        }

        public Builder maxPendingUpdates(int n) {
            this.maxPendingUpdates = n;
            return this;
        }

        public Builder maxRunningTasks(int n) {
            this.maxRunningTasks = n;
            return this;
        }

        public Builder probeIntervalMs(long ms) {
            this.probeIntervalMs = ms;
            return this;
        }

        public Builder logMaxBytes(long bytes) {
            this.logMaxBytes = bytes;
            return this;
        }

        public Builder logMaxFiles(int files) {
            this.logMaxFiles = files;
            return this;
        }

        /** {@code host:port} for the HTTP server; "" serves none. */
        public Builder httpListen(String hostPort) {
            this.httpListen = hostPort;
            return this;
        }

        public Builder sandboxMaxAgeMs(long ms) {
            this.sandboxMaxAgeMs = ms;
            return this;
        }

        public Builder sandboxMinFreeDiskPercent(int percent) {
            this.sandboxMinFreeDiskPercent = percent;
            return this;
        }

        public Builder isolation(Isolation isolation) {
            this.isolation = isolation;
            return this;
        }

        public Builder memoryCheckIntervalMs(long ms) {
            this.memoryCheckIntervalMs = ms;
            return this;
        }

        public Builder fetchMaxFileBytes(long bytes) {
            this.fetchMaxFileBytes = bytes;
            return this;
        }

        public Builder fetchCacheMaxBytes(long bytes) {
            this.fetchCacheMaxBytes = bytes;
            return this;
        }

        /** How executors are run and watched. */
        public Builder executors(ExecutorConfig config) {
            this.executors = java.util.Objects.requireNonNull(config, "executors");
            return this;
        }

        /** The nvidia-smi executable: a name looked up on the PATH, or a path. */
        public Builder nvidiaSmiCommand(String command) {
            this.nvidiaSmiCommand = command;
            return this;
        }

        /**
         * The validated config; the host name defaults to {@link #localHostname()}.
         *
         * @throws IllegalArgumentException naming the first setting that breaks its rule
         */
        public AgentConfig build() {
            return new AgentConfig(bootstrap, workDir, agentIdOverride, cpusOverride, memOverrideMb, diskOverrideMb, gpusOverride,
                    reserveCpus, reserveMemMb, reserveDiskMb, reserveGpus, attributes, reservations, ports,
                    hostname != null ? hostname : localHostname(),
                    heartbeatIntervalMs, killGracePeriodMs, registerRetryInitialMs, registerRetryMaxMs,
                    statusRetryInitialMs, statusRetryMaxMs, maxPendingUpdates, maxRunningTasks, nvidiaSmiCommand,
                    probeIntervalMs, logMaxBytes, logMaxFiles, httpListen, sandboxMaxAgeMs, sandboxMinFreeDiskPercent,
                    isolation, memoryCheckIntervalMs, fetchMaxFileBytes, fetchCacheMaxBytes, executors);
        }
    }
}
