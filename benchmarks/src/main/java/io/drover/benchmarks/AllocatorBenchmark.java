package io.drover.benchmarks;

import io.drover.api.ResourceMath;
import io.drover.api.codec.Codecs;
import io.drover.api.protocol.AgentAdded;
import io.drover.api.protocol.CommandInfo;
import io.drover.api.protocol.FrameworkAdded;
import io.drover.api.protocol.PortRange;
import io.drover.api.protocol.TaskAdded;
import io.drover.api.protocol.TaskInfo;
import io.drover.master.alloc.AllocationConfig;
import io.drover.master.alloc.Allocator;
import io.drover.master.alloc.OfferFilters;
import io.drover.master.alloc.RoleConfig;
import io.drover.master.state.MasterState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One allocation pass of the master's allocator. The cluster: {@code agents} agents of 32 cpus,
 * 128 GiB, 1 TiB disk and ports 31000-31999; {@code frameworks} frameworks spread over three
 * roles (one weighted, one with a guarantee, one with a limit); every agent runs one task of
 * some framework (2 cpus, 4 GiB, one port), so every agent has a remainder to offer and every
 * free-resource computation subtracts ports; a tenth of the agents reserve 4 cpus / 16 GiB for
 * one role. No outstanding offers: the full pass offers every agent, the worst case.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class AllocatorBenchmark {
    @Param({"1000", "10000", "50000"})
    public int agents;

    @Param({"10", "200"})
    public int frameworks;

    private MasterState state;
    private AllocationConfig config;
    private final OfferFilters filters = new OfferFilters();
    private List<String> changed;
    private long seed;

    @Setup(Level.Trial)
    public void buildCluster() {
        // Loading the codecs makes Avro trust Drover's protocol classes, as in the master.
        Objects.requireNonNull(Codecs.FRAMEWORK_EVENT);
        state = new MasterState();
        config = AllocationConfig.none()
                .withRole("analytics", RoleConfig.weighted(2))
                .withRole("batch", RoleConfig.DEFAULT.withGuarantee(ResourceMath.of(100, 400_000, 0, 0)))
                .withRole("adhoc", RoleConfig.DEFAULT.withLimit(ResourceMath.of(agents, agents * 4096L, Long.MAX_VALUE, Integer.MAX_VALUE)))
                .validate();
        String[] roles = {"*", "analytics", "batch", "adhoc"};
        for (int f = 0; f < frameworks; f++) {
            state.apply(FrameworkAdded.newBuilder().setFrameworkId("fw-" + f).setName("fw-" + f).setUser("")
                    .setRole(roles[f % roles.length]).setPrincipal("p").setFailoverTimeoutMs(0).setSubscribedAtMs(0).build());
        }
        List<PortRange> ports = List.of(new PortRange(31000, 31999));
        Random r = new Random(1);
        for (int a = 0; a < agents; a++) {
            String id = String.format("agent-%06d", a);
            Map<String, io.drover.api.protocol.Resources> reserved = a % 10 == 0
                    ? Map.of("analytics", ResourceMath.of(4, 16_384, 0, 0)) : Map.of();
            state.apply(AgentAdded.newBuilder().setAgentId(id).setHostname(id).setCommandPartition(0).setRegisteredAtMs(0)
                    .setTotal(ResourceMath.of(32, 131_072, 1_048_576, 0, ports)).setReservations(reserved).build());
            int port = 31000 + r.nextInt(1000);
            state.apply(TaskAdded.newBuilder().setFrameworkId("fw-" + r.nextInt(frameworks)).setTask(TaskInfo.newBuilder()
                    .setTaskId("t-" + a).setName("t").setAgentId(id)
                    .setResources(ResourceMath.of(2, 4096, 0, 0, List.of(new PortRange(port, port))))
                    .setCommand(CommandInfo.newBuilder().setArguments(List.of("true")).build()).build()).build());
        }
        changed = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            changed.add(String.format("agent-%06d", r.nextInt(agents)));
        }
    }

    /** A full pass: every agent. */
    @Benchmark
    public List<Allocator.Decision> fullPass() {
        return new Allocator(config, new Random(seed++)).allocate(state, filters, Set.of(), 0);
    }

    /** An incremental pass over 100 agents whose free resources changed. */
    @Benchmark
    public List<Allocator.Decision> incrementalPass100Agents() {
        return new Allocator(config, new Random(seed++)).allocate(state, filters, Set.of(), 0, changed);
    }
}
