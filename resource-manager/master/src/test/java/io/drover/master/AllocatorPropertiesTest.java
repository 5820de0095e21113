package io.drover.master;

import static io.drover.master.Harness.call;
import static io.drover.master.Harness.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.drover.api.Envelopes;
import io.drover.api.ResourceMath;
import io.drover.api.protocol.Accept;
import io.drover.api.protocol.AgentMessage;
import io.drover.api.protocol.CommandInfo;
import io.drover.api.protocol.Decline;
import io.drover.api.protocol.Offer;
import io.drover.api.protocol.OfferMade;
import io.drover.api.protocol.PortRange;
import io.drover.api.protocol.RegisterAgent;
import io.drover.api.protocol.Resources;
import io.drover.api.protocol.Revive;
import io.drover.api.protocol.Subscribe;
import io.drover.api.protocol.Suppress;
import io.drover.api.protocol.TaskInfo;
import io.drover.api.protocol.TaskState;
import io.drover.master.alloc.AllocationConfig;
import io.drover.master.alloc.RoleConfig;
import io.drover.master.state.TaskEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Invariants of allocation under random workloads, one seeded loop per property (a failure
 * names its seed, so it replays). The whole master runs through {@link Harness}.
 */
class AllocatorPropertiesTest {
    private static final int SEEDS = 40;
    private static final int STEPS = 150;
    private static final List<String> FRAMEWORKS = List.of("fw0", "fw1", "fw2", "fw3");
    private static final Map<String, String> ROLE = Map.of("fw0", "*", "fw1", "*", "fw2", "analytics", "fw3", "batch");

    private record Filter(long untilMs, Resources refused) {}

    static AgentMessage register(String agentId, Resources total, Map<String, Resources> reservations) {
        return AgentMessage.newBuilder()
                .setHeader(Envelopes.header(agentId, java.time.Clock.systemUTC()))
                .setAgentId(agentId)
                .setBody(RegisterAgent.newBuilder().setHostname("host-" + agentId).setTotal(total)
                        .setStartedAtMs(1).setReservations(reservations).build())
                .build();
    }

    static Object subscribe(String fw, String role) {
        return call(fw, Subscribe.newBuilder().setFrameworkName(fw).setRole(role)
                .setSubscriptionId(UUID.randomUUID().toString()).build());
    }

    private static Harness randomCluster(Random r, long seed) {
        AllocationConfig alloc = AllocationConfig.none()
                .withRole("analytics", RoleConfig.weighted(2).withLimit(ResourceMath.of(12, 12_288, Long.MAX_VALUE, Integer.MAX_VALUE)))
                .withRole("batch", RoleConfig.DEFAULT.withGuarantee(ResourceMath.of(4, 4096, 0, 0)));
        Harness h = new Harness(MasterConfig.defaults("unused:1", Path.of("unused")).withAllocation(alloc), seed);
        List<Object> inputs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Resources total = ResourceMath.of(1 + r.nextInt(8), 1024L * (1 + r.nextInt(8)), 0, 0,
                    List.of(new PortRange(31000, 31000 + r.nextInt(40))));
            Map<String, Resources> reserved = r.nextInt(3) == 0
                    ? Map.of("analytics", ResourceMath.of(1, 1024, 0, 0, List.of(new PortRange(31000, 31004))))
                    : Map.of();
            inputs.add(register("a" + i, total, reserved));
        }
        FRAMEWORKS.forEach(fw -> inputs.add(subscribe(fw, ROLE.get(fw))));
        h.turn(inputs.toArray());
        return h;
    }

    /** A task of about a third of the offer, with a few of its ports. */
    private static TaskInfo taskFor(Offer o, Random r, String id) {
        Resources have = o.getResources();
        List<PortRange> ports = new ArrayList<>();
        if (!have.getPorts().isEmpty() && r.nextBoolean()) {
            PortRange first = have.getPorts().get(0);
            ports.add(new PortRange(first.getBegin(), Math.min(first.getEnd(), first.getBegin() + r.nextInt(3))));
        }
        Resources need = ResourceMath.of(Math.max(0.01, Math.floor(have.getCpus() / 3 * 100) / 100),
                Math.max(1, have.getMemMb() / 3), 0, 0, ports);
        return TaskInfo.newBuilder().setTaskId(id).setName(id).setAgentId(o.getAgentId()).setResources(need)
                .setCommand(CommandInfo.newBuilder().setArguments(List.of("true")).build()).build();
    }

    @Test
    void offersNeverOverlapNeverExceedTheAgentAndRespectFiltersAndSuppression() {
        for (long seed = 0; seed < SEEDS; seed++) {
            Random r = new Random(seed);
            Harness h = randomCluster(r, seed);
            Map<String, Map<String, Filter>> filters = new HashMap<>();
            Set<String> suppressed = new HashSet<>();
            int taskIds = 0;
            for (int step = 0; step < STEPS; step++) {
                List<Object> inputs = new ArrayList<>();
                long now = h.clock.millis();
                for (Offer o : List.copyOf(h.state.offers().values())) {
                    String fw = o.getFrameworkId();
                    int choice = r.nextInt(4);
                    double refuse = 1 + r.nextInt(10);
                    if (choice == 0) {
                        TaskInfo t = taskFor(o, r, "t" + taskIds++);
                        inputs.add(call(fw, Accept.newBuilder().setOfferIds(List.of(o.getOfferId())).setTasks(List.of(t))
                                .setRefuseSeconds(refuse).build()));
                        Resources unused = ResourceMath.subtract(o.getResources(), t.getResources());
                        if (!ResourceMath.isEmpty(unused)) {
                            filters.computeIfAbsent(fw, k -> new HashMap<>()).put(o.getAgentId(), new Filter(now + (long) (refuse * 1000), unused));
                        }
                    } else if (choice == 1) {
                        inputs.add(call(fw, Decline.newBuilder().setOfferIds(List.of(o.getOfferId())).setRefuseSeconds(refuse).build()));
                        filters.computeIfAbsent(fw, k -> new HashMap<>()).put(o.getAgentId(), new Filter(now + (long) (refuse * 1000), o.getResources()));
                    }
                }
                for (TaskEntry t : List.copyOf(h.state.tasks().values())) {
                    if (!t.isTerminal() && r.nextInt(5) == 0) {
                        inputs.add(status(t.task().getAgentId(), t.frameworkId(), t.task().getTaskId(), TaskState.FINISHED, 0));
                    }
                }
                String fw = FRAMEWORKS.get(r.nextInt(FRAMEWORKS.size()));
                int roll = r.nextInt(20);
                if (roll == 0) {
                    inputs.add(call(fw, Suppress.newBuilder().build()));
                    suppressed.add(fw);
                } else if (roll == 1) {
                    inputs.add(call(fw, Revive.newBuilder().build()));
                    suppressed.remove(fw);
                    filters.remove(fw);
                }
                h.clock.advanceMs(r.nextInt(3_000));
                inputs.addAll(h.liveness());
                h.turn(inputs.toArray());
                String where = "seed " + seed + " step " + step;
                checkAgents(h, where);
                checkNewOffers(h, filters, suppressed, where);
            }
        }
    }

    /** Offers and live tasks of an agent fit in its total together, and no port is held twice. */
    private static void checkAgents(Harness h, String where) {
        h.state.agents().forEach((agentId, agent) -> {
            List<Resources> held = new ArrayList<>();
            h.state.offersOn(agentId).forEach(o -> held.add(o.getResources()));
            h.state.tasksOn(agentId).stream().filter(t -> !t.isTerminal()).forEach(t -> held.add(t.task().getResources()));
            Resources sum = ResourceMath.zero();
            long ports = 0;
            for (Resources x : held) {
                sum = ResourceMath.add(sum, x);
                ports += ResourceMath.portCount(x.getPorts());
            }
            if (!ResourceMath.fits(sum, agent.getTotal())) {
                fail(where + ": agent " + agentId + " holds " + ResourceMath.format(sum) + " of " + ResourceMath.format(agent.getTotal()));
            }
            assertEquals(ResourceMath.portCount(sum.getPorts()), ports, where + ": a port of " + agentId + " is held twice: " + held);
        });
    }

    /** No offer of this turn covers only what its framework refused, nor goes to a suppressed one. */
    private static void checkNewOffers(Harness h, Map<String, Map<String, Filter>> filters, Set<String> suppressed, String where) {
        long now = h.clock.millis();
        for (Object e : h.lastEvents) {
            if (e instanceof OfferMade made) {
                Offer o = made.getOffer();
                assertTrue(!suppressed.contains(o.getFrameworkId()), where + ": offer to suppressed " + o.getFrameworkId());
                Filter f = filters.getOrDefault(o.getFrameworkId(), Map.of()).get(o.getAgentId());
                if (f != null && f.untilMs() > now && ResourceMath.fits(o.getResources(), f.refused())) {
                    fail(where + ": " + o.getAgentId() + " offered to " + o.getFrameworkId() + " " + (f.untilMs() - now)
                            + " ms before its filter ends: " + ResourceMath.format(o.getResources()));
                }
            }
        }
    }

    @Test
    void withEqualDemandSharesStayWithinOneTask() {
        for (long seed = 0; seed < SEEDS; seed++) {
            Random r = new Random(seed);
            Harness h = new Harness();
            List<Object> inputs = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                inputs.add(register("a" + i, ResourceMath.of(1, 1024, 0, 0), Map.of()));
            }
            List<String> fws = List.of("f0", "f1", "f2");
            fws.forEach(fw -> inputs.add(subscribe(fw, "*")));
            h.turn(inputs.toArray());
            int taskIds = 0;
            for (int step = 0; step < STEPS; step++) {
                // One task of 1 cpu / 1024 MiB (1/30 of the cluster) per agent. Every framework
                // wants more, so each takes every offer whole.
                List<Object> next = new ArrayList<>();
                for (Offer o : List.copyOf(h.state.offers().values())) {
                    next.add(Harness.accept(o.getFrameworkId(), o.getOfferId(), Harness.task("t" + taskIds++, o.getAgentId(), 1, 1024)));
                }
                for (TaskEntry t : List.copyOf(h.state.tasks().values())) {
                    if (!t.isTerminal() && r.nextInt(4) == 0) {
                        next.add(status(t.task().getAgentId(), t.frameworkId(), t.task().getTaskId(), TaskState.FINISHED, 0));
                    }
                }
                h.clock.advanceMs(r.nextInt(500));
                next.addAll(h.liveness());
                h.turn(next.toArray());
                double min = Double.MAX_VALUE;
                double max = 0;
                for (String fw : fws) {
                    double cpus = h.state.allocatedTo(fw).getCpus();
                    min = Math.min(min, cpus);
                    max = Math.max(max, cpus);
                }
                assertTrue(max - min <= 1 + 1e-9, "seed " + seed + " step " + step + ": shares " + min / 30 + ".." + max / 30);
            }
        }
    }
}
