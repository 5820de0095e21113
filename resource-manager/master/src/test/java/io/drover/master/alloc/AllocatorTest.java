package io.drover.master.alloc;

import static io.drover.master.alloc.Cluster.res;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.ResourceMath;
import io.drover.api.protocol.Resources;
import io.drover.master.ManualClock;
import io.drover.master.MasterConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The allocator's decisions step by step, in the manner of Mesos's hierarchical allocator
 * tests: a cluster built by hand, a manual clock, and the expected dominant shares beside each
 * step. "share" below is a dominant share divided by the role's weight.
 */
class AllocatorTest {
    private final ManualClock clock = new ManualClock(1_000_000);
    private final Cluster c = new Cluster();
    private final OfferFilters filters = new OfferFilters();

    private List<Allocator.Decision> allocate(AllocationConfig config, Set<String> suppressed) {
        return new Allocator(config.validate(), new Random(7)).allocate(c.state, filters, suppressed, clock.millis());
    }

    private List<Allocator.Decision> allocate() {
        return allocate(AllocationConfig.none(), Set.of());
    }

    /** Framework id to what it was offered in total. */
    private static Map<String, Resources> totals(List<Allocator.Decision> decisions) {
        Map<String, Resources> sums = new TreeMap<>();
        decisions.forEach(d -> sums.merge(d.frameworkId(), d.resources(), ResourceMath::add));
        return sums;
    }

    private static Map<String, Long> counts(List<Allocator.Decision> decisions) {
        Map<String, Long> n = new TreeMap<>();
        decisions.forEach(d -> n.merge(d.frameworkId(), 1L, Long::sum));
        return n;
    }

    private static String to(List<Allocator.Decision> decisions, String agentId) {
        return decisions.stream().filter(d -> d.agentId().equals(agentId)).map(Allocator.Decision::frameworkId)
                .reduce((a, b) -> a + "," + b).orElse(null);
    }

    @Test
    void lowestDominantShareGoesFirst() {
        // Total: 4 cpus, 4096 MiB.
        for (int i = 1; i <= 4; i++) {
            c.agent("a" + i, res(1, 1024));
        }
        c.framework("fw1", "*").framework("fw2", "*").task("fw1", "a1", res(1, 512));
        // fw1 = max(1/4, 512/4096) = 0.25; fw2 = 0.
        List<Allocator.Decision> d = allocate();
        // a1 has 0 cpus free: nothing to offer.
        // a2 -> fw2 (0 < 0.25); fw2 = 0.25.
        // a3 -> tie 0.25 / 0.25, broken by the seeded random; a4 -> the other. Both end at 0.5.
        assertEquals(null, to(d, "a1"));
        assertEquals("fw2", to(d, "a2"));
        assertEquals(Map.of("fw1", 1L, "fw2", 2L), counts(d));
    }

    @Test
    void rolesShareInProportionToTheirWeights() {
        // Total: 8 cpus, 8192 MiB; each agent is 1/8 of the cluster.
        for (int i = 1; i <= 8; i++) {
            c.agent("a" + i, res(1, 1024));
        }
        c.framework("fa", "analytics").framework("fb", "batch");
        AllocationConfig config = AllocationConfig.none().withRole("analytics", RoleConfig.weighted(3));
        List<Allocator.Decision> d = allocate(config, Set.of());
        // Each agent adds 1/8 to a dominant share: analytics' share grows by 1/24 (weight 3),
        // batch's by 1/8. Whatever the tie-breaks, the walk ends at analytics 6/24, batch 2/8:
        // (0,0) -> (1,0) 1/24|0 -> (1,1) 1/24|1/8 -> (2,1) -> (3,1) 3/24|1/8 tie -> ... -> (6,2).
        assertEquals(Map.of("fa", 6L, "fb", 2L), counts(d));
    }

    @Test
    void aRoleBelowItsGuaranteeGoesFirst() {
        // Total: 4 cpus, 4096 MiB.
        for (int i = 1; i <= 4; i++) {
            c.agent("a" + i, res(1, 1024));
        }
        c.framework("fq", "quota").framework("fs", "*").task("fq", "a1", res(1, 1024));
        AllocationConfig config = AllocationConfig.none()
                .withRole("quota", RoleConfig.DEFAULT.withGuarantee(ResourceMath.of(2, 0, 0, 0)));
        List<Allocator.Decision> d = allocate(config, Set.of());
        // quota = 0.25 holding 1 cpu of its 2 guaranteed; * = 0.
        // a2 -> fq although 0.25 > 0: quota is below its guarantee. quota = 0.5, guarantee met.
        // a3 -> fs (0 < 0.5); * = 0.25.  a4 -> fs (0.25 < 0.5); * = 0.5.
        assertEquals("fq", to(d, "a2"));
        assertEquals("fs", to(d, "a3"));
        assertEquals("fs", to(d, "a4"));

        // Without the guarantee, plain DRF gives a2 to fs.
        assertEquals("fs", to(allocate(), "a2"));
    }

    @Test
    void aRoleNeverGetsBeyondItsLimit() {
        // Total: 4 cpus, 4096 MiB.
        c.agent("a1", res(2, 2048)).agent("a2", res(2, 2048));
        c.framework("fl", "limited").framework("fs", "*");
        AllocationConfig config = AllocationConfig.none()
                .withRole("limited", RoleConfig.DEFAULT.withLimit(ResourceMath.of(1.5, 1536, Long.MAX_VALUE, Integer.MAX_VALUE)));
        List<Allocator.Decision> d = allocate(config, Set.of());
        // Either fl comes first on a1 and takes 1.5 cpus / 1536 MiB (its limit), the rest of a1
        // goes to fs (0.5 cpus, 512 MiB), and a2 to fs (0.125 < 0.375); or fs takes a1 whole
        // (0.5), then fl takes its limit of a2 (0 < 0.5) and fs the rest. Same totals either way.
        Map<String, Resources> t = totals(d);
        assertEquals(res(1.5, 1536), t.get("fl"));
        assertEquals(res(2.5, 2560), t.get("fs"));

        // Holding its limit in outstanding offers, the role gets nothing more once they return.
        c.offer(d.stream().filter(x -> x.frameworkId().equals("fl")).toList());
        List<Allocator.Decision> again = allocate(config, Set.of());
        assertTrue(again.stream().noneMatch(x -> x.frameworkId().equals("fl")), again.toString());
    }

    @Test
    void reservedResourcesGoOnlyToTheirRole() {
        // a1: 4 cpus / 4096 MiB, half reserved for role "r". a2: 4 cpus / 4096 MiB, unreserved.
        // Total: 8 cpus, 8192 MiB.
        c.agent("a1", res(4, 4096), Map.of("r", res(2, 2048))).agent("a2", res(4, 4096));
        c.framework("fr", "r").framework("fs", "*").task("fs", "a2", res(3, 3072));
        // fr = 0; fs = 3/8 = 0.375.

        // With fr suppressed, fs sees only a1's unreserved half.
        List<Allocator.Decision> d = allocate(AllocationConfig.none(), Set.of("fr"));
        assertEquals(List.of(new Allocator.Decision("fs", "a1", res(2, 2048)), new Allocator.Decision("fs", "a2", res(1, 1024))), d);

        // a1's reserved half -> fr (only role r may have it); fr = 2/8 = 0.25.
        // a1's unreserved half -> fr again (0.25 < 0.375), in the same offer; fr = 0.5.
        // a2's free 1 cpu / 1024 MiB -> fs (0.375 < 0.5).
        d = allocate();
        assertEquals(List.of(new Allocator.Decision("fr", "a1", res(4, 4096)), new Allocator.Decision("fs", "a2", res(1, 1024))), d);
    }

    @Test
    void whatARoleHoldsOnAnAgentCountsAgainstItsReservationFirst() {
        c.agent("a1", res(4, 4096), Map.of("r", res(2, 2048))).framework("fr", "r").framework("fs", "*");
        c.task("fr", "a1", res(1, 1024));
        FairShares shares = new FairShares(AllocationConfig.none(), c.state, Set.of(), new Random(1));
        AgentFree free = AgentFree.of(c.state, "a1", shares::roleOfFramework);
        assertEquals(Map.of("r", res(1, 1024)), free.reserved());
        assertEquals(res(2, 2048), free.unreserved());
        // Beyond its reservation, a role eats into the unreserved part.
        c.task("fr", "a1", res(2, 2048));
        free = AgentFree.of(c.state, "a1", shares::roleOfFramework);
        assertEquals(Map.of(), free.reserved());
        assertEquals(res(1, 1024), free.unreserved());
    }

    @Test
    void aFilteredAgentGoesToTheNextFrameworkUntilTheFilterEndsOrTheFrameworkRevives() {
        // Total: 4 cpus, 4096 MiB.
        c.agent("a1", res(2, 2048)).agent("a2", res(2, 2048));
        c.framework("fw1", "*").framework("fw2", "*").task("fw2", "a2", res(2, 2048));
        // fw1 = 0; fw2 = 0.5. fw1 declined a1 for 5 s.
        filters.add("fw1", "a1", res(2, 2048), clock.millis() + 5_000);
        assertEquals("fw2", to(allocate(), "a1"));
        clock.advanceMs(4_999);
        assertEquals("fw2", to(allocate(), "a1"));
        clock.advanceMs(1);
        assertEquals("fw1", to(allocate(), "a1"), "the filter ended");

        filters.add("fw1", "a1", res(2, 2048), clock.millis() + 5_000);
        assertEquals("fw2", to(allocate(), "a1"));
        filters.clear("fw1"); // REVIVE
        assertEquals("fw1", to(allocate(), "a1"));

        // A filter covers only what was refused: more free than that is offered anyway.
        filters.add("fw1", "a1", res(1, 1024), clock.millis() + 5_000);
        assertEquals("fw1", to(allocate(), "a1"));
    }

    @Test
    void suppressedFrameworksGetNothing() {
        c.agent("a1", res(1, 1024)).agent("a2", res(1, 1024)).framework("fw1", "*").framework("fw2", "*");
        List<Allocator.Decision> d = allocate(AllocationConfig.none(), Set.of("fw1"));
        assertEquals(Map.of("fw2", 2L), counts(d));
        assertEquals(List.of(), allocate(AllocationConfig.none(), Set.of("fw1", "fw2")));
    }

    @Test
    void portsInUseAreNotOffered() {
        c.agent("a1", res(4, 4096, 31000, 31999)).framework("fw1", "*").framework("fw2", "*");
        c.task("fw1", "a1", res(1, 1024, 31000, 31009));
        List<Allocator.Decision> d = allocate();
        // fw1 = 0.25, fw2 = 0: fw2 gets the rest, without the ports fw1's task holds.
        assertEquals(List.of(new Allocator.Decision("fw2", "a1", res(3, 3072, 31010, 31999))), d);
    }

    @Test
    void anIncrementalPassLooksOnlyAtTheAgentsGiven() {
        c.agent("a1", res(1, 1024)).agent("a2", res(1, 1024)).agent("a3", res(1, 1024)).framework("fw", "*");
        List<Allocator.Decision> d = new Allocator(AllocationConfig.none(), new Random(1))
                .allocate(c.state, filters, Set.of(), clock.millis(), List.of("a2", "gone"));
        assertEquals(List.of(new Allocator.Decision("fw", "a2", res(1, 1024))), d);
    }

    @Test
    void outstandingOffersCountInTheShares() {
        c.agent("a1", res(1, 1024)).agent("a2", res(1, 1024)).framework("fw1", "*").framework("fw2", "*");
        List<Allocator.Decision> first = new Allocator(AllocationConfig.none(), new Random(1))
                .allocate(c.state, filters, Set.of(), clock.millis(), List.of("a1"));
        c.offer(first);
        // Whoever holds a1's offer has 0.5; the other has 0 and gets a2.
        String other = first.get(0).frameworkId().equals("fw1") ? "fw2" : "fw1";
        assertEquals(other, to(allocate(), "a2"));
        assertEquals(null, to(allocate(), "a1"), "a1 is all offered");
    }

    @Test
    void theRandomOrderIsAFunctionOfTheSeedAndOffersEverything() {
        for (int i = 0; i < 20; i++) {
            c.agent("a" + i, res(1, 1024));
        }
        c.framework("fw1", "*").framework("fw2", "*").framework("fw3", "other");
        AllocationConfig random = AllocationConfig.none().withFairness(AllocationConfig.Fairness.RANDOM);
        List<Allocator.Decision> d1 = new Allocator(random, new Random(3)).allocate(c.state, filters, Set.of(), 0);
        List<Allocator.Decision> d2 = new Allocator(random, new Random(3)).allocate(c.state, filters, Set.of(), 0);
        assertEquals(d1, d2);
        assertEquals(20, d1.size());
        assertEquals(3, counts(d1).size(), "every framework drew something in 20 draws: " + counts(d1));
    }

    @Test
    void drfSorterDividesByWeightAndSkipsKindsTheClusterLacks() {
        DrfSorter s = new DrfSorter(ResourceMath.of(10, 1000, 0, 0), new Random(1));
        s.add("light", 1, res(2, 100));  // max(0.2, 0.1) = 0.2
        s.add("heavy", 4, res(4, 100));  // max(0.4, 0.1) / 4 = 0.1
        assertEquals(0.2, s.share("light"), 1e-12);
        assertEquals(0.1, s.share("heavy"), 1e-12);
        assertEquals("heavy", s.order().next());
        s.allocated("heavy", res(0, 600)); // max(0.4, 0.7) / 4 = 0.175
        assertEquals("heavy", s.order().next());
        s.allocated("heavy", res(0, 200)); // 0.9 / 4 = 0.225
        assertEquals("light", s.order().next());
        assertThrows(IllegalArgumentException.class, () -> s.add("zero", 0, ResourceMath.zero()));
    }

    @Test
    void configIsValidatedOnce() {
        assertTrue(AllocationConfig.none().errors().isEmpty());
        AllocationConfig bad = AllocationConfig.none()
                .withRole("w", RoleConfig.weighted(0))
                .withRole("g", RoleConfig.DEFAULT.withGuarantee(res(4, 0)).withLimit(ResourceMath.of(2, 10, 10, 10)))
                .withRole(" ", RoleConfig.DEFAULT);
        List<String> errors = bad.errors();
        assertEquals(3, errors.size(), errors.toString());
        MasterConfig master = MasterConfig.defaults("h:1", Path.of("x"));
        assertEquals(AllocationConfig.none(), master.allocation());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> master.withAllocation(bad).validate());
        assertTrue(e.getMessage().contains("role w: weight"), e.getMessage());
    }
}
