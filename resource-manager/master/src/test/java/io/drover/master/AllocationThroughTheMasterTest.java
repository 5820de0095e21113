package io.drover.master;

import static io.drover.master.AllocatorPropertiesTest.register;
import static io.drover.master.AllocatorPropertiesTest.subscribe;
import static io.drover.master.Harness.call;
import static io.drover.master.Harness.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.ResourceMath;
import io.drover.api.protocol.AgentAdded;
import io.drover.api.protocol.Offer;
import io.drover.api.protocol.Offers;
import io.drover.api.protocol.PortRange;
import io.drover.api.protocol.Resources;
import io.drover.api.protocol.Revive;
import io.drover.api.protocol.Suppress;
import io.drover.api.protocol.TaskState;
import io.drover.master.alloc.AllocationConfig;
import io.drover.master.alloc.RoleConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The allocator as the master uses it: reservations from registration, roles, suppress, revive. */
class AllocationThroughTheMasterTest {
    private static List<Offer> offersTo(Harness h, String fw) {
        return h.eventsTo(fw).stream().filter(e -> e instanceof Offers).flatMap(e -> ((Offers) e).getOffers().stream()).toList();
    }

    @Test
    void reservationsGoFromRegistrationIntoTheLogAndOnlyToTheirRole() {
        Harness h = new Harness();
        Resources reserved = ResourceMath.of(2, 2048, 0, 0);
        h.turn(register("a1", ResourceMath.of(4, 4096, 0, 0), Map.of("gpu-team", reserved)));
        AgentAdded added = (AgentAdded) h.log.get(0).getEvents().get(0);
        assertEquals(Map.of("gpu-team", reserved), added.getReservations());

        h.turn(subscribe("other", "*"));
        assertEquals(List.of(ResourceMath.of(2, 2048, 0, 0)), offersTo(h, "other").stream().map(Offer::getResources).toList());
        h.turn(subscribe("team", "gpu-team"));
        Offer teamOffer = offersTo(h, "team").get(0);
        assertEquals(reserved, teamOffer.getResources());
        assertEquals("host-a1", teamOffer.getHostname());
    }

    @Test
    void aRegistrationWhoseReservationsExceedItsTotalIsIgnored() {
        Harness h = new Harness();
        h.turn(register("a1", ResourceMath.of(4, 4096, 0, 0), Map.of("r1", ResourceMath.of(3, 1024, 0, 0), "r2", ResourceMath.of(2, 1024, 0, 0))));
        // Two roles may not reserve one port.
        h.turn(register("a2", ResourceMath.of(4, 4096, 0, 0, List.of(new PortRange(1, 10))),
                Map.of("r1", ResourceMath.of(1, 1, 0, 0, List.of(new PortRange(1, 5))),
                        "r2", ResourceMath.of(1, 1, 0, 0, List.of(new PortRange(5, 6))))));
        assertTrue(h.state.agents().isEmpty());
        assertTrue(h.log.isEmpty());
    }

    @Test
    void freedResourcesAreOfferedInTheSameTurnToTheLowestShare() {
        Harness h = new Harness(MasterConfig.defaults("unused:1", Path.of("unused"))
                .withAllocation(AllocationConfig.none().withRole("big", RoleConfig.weighted(3))), 1);
        h.turn(register("a1", ResourceMath.of(1, 1024, 0, 0), Map.of()), register("a2", ResourceMath.of(1, 1024, 0, 0), Map.of()),
                subscribe("f1", "*"));
        // f1 holds both agents (share 1.0) until they come back.
        Offer o1 = offersTo(h, "f1").get(0);
        h.turn(Harness.accept("f1", o1.getOfferId(), Harness.task("t1", o1.getAgentId(), 1, 1024)));
        h.turn(subscribe("f2", "big"));
        assertTrue(offersTo(h, "f2").isEmpty(), "nothing is free");
        // t1 ends: its agent is the only one that changed, and goes to f2 (share 0 < f1's 0.5).
        h.turn(status(o1.getAgentId(), "f1", "t1", TaskState.FINISHED, 0));
        assertEquals(List.of(o1.getAgentId()), offersTo(h, "f2").stream().map(Offer::getAgentId).toList());
    }

    @Test
    void aSuppressedFrameworkGetsNothingUntilItRevives() {
        Harness h = new Harness();
        h.turn(register("a1", ResourceMath.of(1, 1024, 0, 0), Map.of()), subscribe("f1", "*"));
        Offer o = offersTo(h, "f1").get(0);
        h.turn(call("f1", Suppress.newBuilder().build()), call("f1", io.drover.api.protocol.Decline.newBuilder()
                .setOfferIds(List.of(o.getOfferId())).setRefuseSeconds(0).build()));
        for (int i = 0; i < 5; i++) {
            h.clock.advanceMs(2_000);
            h.turn();
            assertTrue(offersTo(h, "f1").isEmpty());
        }
        h.turn(call("f1", Revive.newBuilder().build()));
        assertEquals(1, offersTo(h, "f1").size());
    }
}
