package io.drover.cli;

import io.drover.master.Master;
import io.drover.master.MasterConfig;
import io.drover.master.alloc.AllocationConfig;
import io.drover.master.alloc.RoleConfig;
import java.util.Map;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "master", mixinStandardHelpOptions = true,
        description = "Run a master against a Kafka cluster until Ctrl-C. A second master with the same cluster fences the first.")
final class MasterCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--data-dir", required = true, description = "where the master keeps its RocksDB state")
    Path dataDir;

    @Option(names = "--master-id", description = "this master's name (default: master-PID)")
    String masterId;

    @Option(names = "--offer-timeout", defaultValue = "30s", converter = Units.DurationConverter.class,
            description = "rescind offers outstanding longer than this (default: ${DEFAULT-VALUE})")
    Duration offerTimeout;

    @Option(names = "--http", defaultValue = MasterConfig.DEFAULT_HTTP_LISTEN,
            description = "where the HTTP API listens, host:port; empty for none (default: ${DEFAULT-VALUE})")
    String httpListen;

    @Option(names = "--allocation-interval", defaultValue = "1s", converter = Units.DurationConverter.class,
            description = "longest time between full allocation passes (freed resources are offered at once) (default: ${DEFAULT-VALUE})")
    Duration allocationInterval;

    @Option(names = "--agent-timeout", defaultValue = "15s", converter = Units.DurationConverter.class,
            description = "an agent silent this long is unreachable and its tasks UNREACHABLE (default: ${DEFAULT-VALUE})")
    Duration agentTimeout;

    @Option(names = "--agent-gone-timeout", defaultValue = "10m", converter = Units.DurationConverter.class,
            description = "an agent unreachable this long is removed and its tasks GONE (default: ${DEFAULT-VALUE})")
    Duration agentGoneTimeout;

    @Option(names = "--framework-heartbeat", defaultValue = "5s", converter = Units.DurationConverter.class,
            description = "how often frameworks hear from the master and must call it; three silent intervals disconnect one (default: ${DEFAULT-VALUE})")
    Duration frameworkHeartbeat;

    @Option(names = "--role-weight", paramLabel = "ROLE=WEIGHT", description = "a role's weight in fair sharing (default 1; repeatable)")
    Map<String, Double> weights = Map.of();

    @Option(names = "--quota-guarantee", paramLabel = "ROLE=RESOURCES",
            description = "resources a role is offered before roles above their guarantee, as analytics=cpus=4,mem=8g (repeatable)")
    Map<String, String> guarantees = Map.of();

    @Option(names = "--quota-limit", paramLabel = "ROLE=RESOURCES",
            description = "most resources a role may hold, as analytics=cpus=16,mem=64g (repeatable)")
    Map<String, String> limits = Map.of();

    @Option(names = "--fairness", defaultValue = "DRF", description = "how frameworks and roles are ordered: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    AllocationConfig.Fairness fairness;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** The roles, weights and quotas given on the command line. */
    AllocationConfig allocation() {
        AllocationConfig a = AllocationConfig.none().withFairness(fairness);
        java.util.Set<String> roles = new java.util.TreeSet<>();
        roles.addAll(weights.keySet());
        roles.addAll(guarantees.keySet());
        roles.addAll(limits.keySet());
        try {
            for (String role : roles) {
                RoleConfig r = RoleConfig.weighted(weights.getOrDefault(role, 1.0));
                if (guarantees.containsKey(role)) {
                    r = r.withGuarantee(Units.parseResources(guarantees.get(role)));
                }
                if (limits.containsKey(role)) {
                    r = r.withLimit(Units.parseResources(limits.get(role)));
                }
                a = a.withRole(role, r);
            }
            return a.validate();
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    @Override
    public Integer call() throws Exception {
        MasterConfig config = MasterConfig.defaults(cluster.bootstrap(), dataDir).toBuilder()
                .offerTimeoutMs(offerTimeout.toMillis())
                .allocationIntervalMs(allocationInterval.toMillis())
                .agentTimeoutMs(agentTimeout.toMillis())
                .agentGoneTimeoutMs(agentGoneTimeout.toMillis())
                .frameworkHeartbeatIntervalMs(frameworkHeartbeat.toMillis())
                .httpListen(httpListen)
                .allocation(allocation())
                .build();
        try {
            config.validate();
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (masterId != null) {
            config = config.withMasterId(masterId);
        }
        Master master = new Master(config, Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(master::close, "master-stop"));
        master.start();
        if (master.awaitActive(Duration.ofMinutes(5))) {
            System.out.println("master " + config.masterId() + " active in epoch " + master.epoch() + " on " + cluster.bootstrap()
                    + (master.httpAddress().isEmpty() ? "" : ", HTTP at http://" + master.httpAddress()));
        }
        master.awaitStopped();
        if (master.failure() != null) {
            System.err.println("drover master: stopped: " + Main.userMessage(master.failure()));
            return 1;
        }
        return 0;
    }
}
