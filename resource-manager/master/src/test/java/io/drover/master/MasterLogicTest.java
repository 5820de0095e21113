package io.drover.master;

import static io.drover.master.Harness.accept;
import static io.drover.master.Harness.call;
import static io.drover.master.Harness.register;
import static io.drover.master.Harness.status;
import static io.drover.master.Harness.subscribe;
import static io.drover.master.Harness.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.ResourceMath;
import io.drover.api.protocol.Acknowledge;
import io.drover.api.protocol.AcknowledgeUpdate;
import io.drover.api.protocol.AgentAdded;
import io.drover.api.protocol.AgentRegistered;
import io.drover.api.protocol.CallError;
import io.drover.api.protocol.Decline;
import io.drover.api.protocol.LaunchTasks;
import io.drover.api.protocol.Offer;
import io.drover.api.protocol.Offers;
import io.drover.api.protocol.Rescind;
import io.drover.api.protocol.Subscribed;
import io.drover.api.protocol.TaskAdded;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatusReason;
import io.drover.api.protocol.Teardown;
import io.drover.api.protocol.Update;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The master's decisions, batch by batch, under a manual clock and without a broker. */
class MasterLogicTest {
    private final Harness h = new Harness();

    private Offer onlyOffer(String frameworkId) {
        List<Object> events = h.eventsTo(frameworkId);
        Offers offers = (Offers) events.stream().filter(e -> e instanceof Offers).findFirst().orElseThrow(
                () -> new AssertionError("no offers in " + events));
        assertEquals(1, offers.getOffers().size());
        return offers.getOffers().get(0);
    }

    @Test
    void registersAnAgentAndAnswersItOnItsPartition() {
        h.turn(register("a1", ResourceMath.of(4, 8192, 100, 0), 7));
        assertInstanceOf(AgentAdded.class, h.log.get(0).getEvents().get(0));
        AgentRegistered reply = (AgentRegistered) h.commandsTo("a1").get(0);
        assertEquals(h.state.agents().get("a1").getCommandPartition(), reply.getCommandPartition());
        // A repeated registration of the same process logs nothing new, but is answered again.
        int logged = h.log.size();
        h.turn(register("a1", ResourceMath.of(4, 8192, 100, 0), 7));
        assertEquals(logged, h.log.size());
        assertEquals(1, h.commandsTo("a1").size());
    }

    @Test
    void offersTheWholeAgentThenLaunchesAndReturnsTheRestToThePool() {
        h.turn(register("a1", ResourceMath.of(4, 8192, 0, 0), 1));
        h.turn(subscribe("fw"));
        assertInstanceOf(Subscribed.class, h.eventsTo("fw").get(0));
        Offer offer = onlyOffer("fw");
        assertEquals(ResourceMath.of(4, 8192, 0, 0), offer.getResources());

        h.turn(accept("fw", offer.getOfferId(), task("t1", "a1", 1, 1024)));
        LaunchTasks launch = (LaunchTasks) h.commandsTo("a1").get(0);
        assertEquals("t1", launch.getTasks().get(0).getTaskId());
        Update staging = (Update) h.eventsTo("fw").get(0);
        assertEquals(TaskState.STAGING, staging.getStatus().getState());
        assertEquals(ResourceMath.of(1, 1024, 0, 0), h.state.usedOn("a1"));
        // The unused 3 CPUs / 7 GiB are filtered for this framework for refuse_seconds (5 s).
        assertTrue(h.eventsTo("fw").stream().noneMatch(e -> e instanceof Offers));
        h.clock.advanceMs(5_001);
        h.turn();
        assertEquals(ResourceMath.of(3, 7168, 0, 0), onlyOffer("fw").getResources());
    }

    @Test
    void refusesAnAcceptThatDoesNotFitWithAReason() {
        h.turn(register("a1", ResourceMath.of(2, 1024, 0, 0), 1));
        h.turn(subscribe("fw"));
        Offer offer = onlyOffer("fw");
        h.turn(accept("fw", offer.getOfferId(), task("big", "a1", 1000, 64)));
        Update update = (Update) h.eventsTo("fw").get(0);
        assertEquals(TaskState.ERROR, update.getStatus().getState());
        assertEquals(TaskStatusReason.RESOURCES_EXCEEDED, update.getStatus().getReason());
        assertTrue(update.getStatus().getMessage().contains("cpus=1000"), update.getStatus().getMessage());
        assertTrue(h.commandsTo("a1").isEmpty());
        assertFalse(h.state.offers().containsKey(offer.getOfferId()), "the refused accept used up its offer");
        assertEquals(ResourceMath.zero(), h.state.usedOn("a1"));

        // Accepting an offer that is gone drops the task with INVALID_OFFERS.
        h.turn(accept("fw", offer.getOfferId(), task("late", "a1", 1, 64)));
        Update dropped = (Update) h.eventsTo("fw").get(0);
        assertEquals(TaskState.DROPPED, dropped.getStatus().getState());
        assertEquals(TaskStatusReason.INVALID_OFFERS, dropped.getStatus().getReason());
    }

    @Test
    void aFinishedTaskFreesItsResourcesAndTheAcknowledgementReachesTheAgent() {
        h.turn(register("a1", ResourceMath.of(1, 512, 0, 0), 1));
        h.turn(subscribe("fw"));
        Offer offer = onlyOffer("fw");
        h.turn(accept("fw", offer.getOfferId(), task("t1", "a1", 1, 512)));
        var finished = status("a1", "fw", "t1", TaskState.FINISHED, 0);
        h.turn(finished);
        List<Object> events = h.eventsTo("fw");
        Update update = (Update) events.get(0);
        assertEquals(TaskState.FINISHED, update.getStatus().getState());
        // The agent's whole capacity is offered again at once.
        Offers again = (Offers) events.get(1);
        assertEquals(ResourceMath.of(1, 512, 0, 0), again.getOffers().get(0).getResources());

        String updateId = finished.getUpdates().get(0).getUpdateId();
        h.turn(call("fw", Acknowledge.newBuilder().setAgentId("a1").setTaskId("t1").setUpdateId(updateId).build()));
        AcknowledgeUpdate ack = (AcknowledgeUpdate) h.commandsTo("a1").get(0);
        assertEquals(updateId, ack.getUpdateId());
        assertTrue(h.state.tasks().isEmpty(), "an acknowledged terminal task is forgotten");
    }

    @Test
    void repeatedUpdatesAreForwardedButLoggedOnce() {
        h.turn(register("a1", ResourceMath.of(1, 512, 0, 0), 1));
        h.turn(subscribe("fw"));
        h.turn(accept("fw", onlyOffer("fw").getOfferId(), task("t1", "a1", 1, 512)));
        var running = status("a1", "fw", "t1", TaskState.RUNNING, null);
        h.turn(running);
        int logged = h.log.size();
        h.turn(running);
        assertEquals(logged, h.log.size());
        assertEquals(TaskState.RUNNING, ((Update) h.eventsTo("fw").get(0)).getStatus().getState());
    }

    @Test
    void declineFiltersTheAgentAndOffersExpire() {
        h.turn(register("a1", ResourceMath.of(1, 512, 0, 0), 1));
        h.turn(subscribe("fw"));
        Offer offer = onlyOffer("fw");
        h.turn(call("fw", Decline.newBuilder().setOfferIds(List.of(offer.getOfferId())).setRefuseSeconds(10).build()));
        h.clock.advanceMs(9_000);
        h.turn();
        assertTrue(h.eventsTo("fw").stream().noneMatch(e -> e instanceof Offers));
        h.clock.advanceMs(1_001);
        h.turn();
        Offer second = onlyOffer("fw");
        h.clock.advanceMs(h.config.offerTimeoutMs());
        h.turn();
        Rescind rescind = (Rescind) h.eventsTo("fw").get(0);
        assertEquals(second.getOfferId(), rescind.getOfferId());
    }

    @Test
    void twoFrameworksShareByDominantShare() {
        h.turn(register("a1", ResourceMath.of(2, 2048, 0, 0), 1),
                register("a2", ResourceMath.of(2, 2048, 0, 0), 1));
        h.turn(subscribe("fw-a"), subscribe("fw-b"));
        // Each framework gets one agent: after fw-a takes a1 (share 0.5), fw-b is lowest.
        assertEquals(1, ((Offers) h.eventsTo("fw-a").stream().filter(e -> e instanceof Offers).findFirst().orElseThrow()).getOffers().size());
        assertEquals(1, ((Offers) h.eventsTo("fw-b").stream().filter(e -> e instanceof Offers).findFirst().orElseThrow()).getOffers().size());
        assertEquals(2, h.state.offers().size());
    }

    @Test
    void refusesCallsFromAnotherPrincipalAndTearsDown() {
        h.turn(register("a1", ResourceMath.of(1, 512, 0, 0), 1));
        h.turn(subscribe("fw"));
        h.turn(accept("fw", onlyOffer("fw").getOfferId(), task("t1", "a1", 1, 512)));
        var forged = io.drover.api.protocol.CallMessage.newBuilder(call("fw", Teardown.newBuilder().build()))
                .setHeader(io.drover.api.Envelopes.header("mallory", java.time.Clock.systemUTC())).build();
        h.turn(forged);
        assertInstanceOf(CallError.class, h.eventsTo("fw").get(0));
        assertTrue(h.state.frameworks().containsKey("fw"));

        h.turn(call("fw", Teardown.newBuilder().build()));
        assertTrue(h.state.frameworks().isEmpty());
        assertInstanceOf(io.drover.api.protocol.KillTask.class, h.commandsTo("a1").get(0));
        // The killed task's last update is acknowledged by the master, and the task forgotten.
        h.turn(status("a1", "fw", "t1", TaskState.KILLED, null));
        assertInstanceOf(AcknowledgeUpdate.class, h.commandsTo("a1").get(0));
        assertTrue(h.state.tasks().isEmpty());
    }

    @Test
    void anAgentThatRestartsLosesItsTasksAndItsOffers() {
        h.turn(register("a1", ResourceMath.of(2, 1024, 0, 0), 1));
        h.turn(subscribe("fw"));
        h.turn(accept("fw", onlyOffer("fw").getOfferId(), task("t1", "a1", 1, 512)));
        h.turn(register("a1", ResourceMath.of(2, 1024, 0, 0), 2));
        Update lost = (Update) h.eventsTo("fw").stream().filter(e -> e instanceof Update).findFirst().orElseThrow();
        assertEquals(TaskState.LOST, lost.getStatus().getState());
        assertEquals(ResourceMath.zero(), h.state.usedOn("a1"));
        assertTrue(h.log.stream().flatMap(r -> r.getEvents().stream()).anyMatch(e -> e instanceof TaskAdded));
    }

    @Test
    void anAgentThatRestartsAndRecoversATaskKeepsItWithItsResources() {
        h.turn(register("a1", ResourceMath.of(2, 1024, 0, 0), 1));
        h.turn(subscribe("fw"));
        h.turn(accept("fw", onlyOffer("fw").getOfferId(), task("t1", "a1", 1, 256), task("t2", "a1", 1, 256)));
        h.turn(status("a1", "fw", "t1", TaskState.RUNNING, null), status("a1", "fw", "t2", TaskState.RUNNING, null));
        var again = register("a1", ResourceMath.of(2, 1024, 0, 0), 2);
        ((io.drover.api.protocol.RegisterAgent) again.getBody()).setRecoveredTasks(List.of(
                io.drover.api.protocol.RecoveredTask.newBuilder().setFrameworkId("fw").setTaskId("t1").build()));
        h.turn(again);
        List<Update> updates = h.eventsTo("fw").stream().filter(e -> e instanceof Update).map(e -> (Update) e).toList();
        assertEquals(1, updates.size(), "only the task the agent did not recover is lost");
        assertEquals("t2", updates.get(0).getStatus().getTaskId());
        assertEquals(TaskState.LOST, updates.get(0).getStatus().getState());
        assertEquals(TaskState.RUNNING, h.state.task("fw", "t1").state());
        assertEquals(ResourceMath.of(1, 256, 0, 0), h.state.usedOn("a1"), "t1 still holds its resources");
        // Its end, reported by the new run, reaches the framework.
        h.turn(status("a1", "fw", "t1", TaskState.FINISHED, 0));
        Update finished = (Update) h.eventsTo("fw").stream().filter(e -> e instanceof Update).findFirst().orElseThrow();
        assertEquals(TaskState.FINISHED, finished.getStatus().getState());
    }

    @Test
    void aSilentAgentBecomesUnreachableThenComesBackAndIsReconciled() {
        h.turn(register("a1", ResourceMath.of(2, 1024, 0, 0), 1), register("a2", ResourceMath.of(2, 1024, 0, 0), 1));
        h.turn(subscribe("fw"));
        Offer onA1 = offersOf("fw").stream().filter(o -> o.getAgentId().equals("a1")).findFirst().orElseThrow();
        h.turn(accept("fw", onA1.getOfferId(), task("t1", "a1", 1, 512)));
        tick(16, List.of("fw"), List.of("a2")); // a1 falls silent past the 15 s agent timeout
        assertTrue(h.state.isUnreachable("a1"));
        assertEquals(TaskState.UNREACHABLE, h.state.task("fw", "t1").state());
        assertTrue(h.state.offers().values().stream().noneMatch(o -> o.getAgentId().equals("a1")));
        assertEquals(ResourceMath.zero(), h.state.freeOn("a1"), "nothing of an unreachable agent is offered");

        h.turn(heartbeat("a1"));
        assertFalse(h.state.isUnreachable("a1"));
        io.drover.api.protocol.ReconcileTasks reconcile = (io.drover.api.protocol.ReconcileTasks) h.commandsTo("a1").get(0);
        assertEquals("t1", reconcile.getTasks().get(0).getTaskId());
        // The agent answers with a fresh RUNNING: the task is running again.
        h.turn(status("a1", "fw", "t1", TaskState.RUNNING, null));
        assertEquals(TaskState.RUNNING, h.state.task("fw", "t1").state());
    }

    @Test
    void anAgentUnreachablePastTheGoneTimeoutIsRemovedAndItsTasksAreGone() {
        h.turn(register("a1", ResourceMath.of(2, 1024, 0, 0), 1), register("a2", ResourceMath.of(2, 1024, 0, 0), 1));
        h.turn(subscribe("fw"));
        Offer onA1 = offersOf("fw").stream().filter(o -> o.getAgentId().equals("a1")).findFirst().orElseThrow();
        h.turn(accept("fw", onA1.getOfferId(), task("t1", "a1", 1, 512)));
        tick(16, List.of("fw"), List.of("a2"));
        List<Update> updates = new java.util.ArrayList<>();
        boolean failure = false;
        for (int i = 0; i < 601; i++) {
            h.clock.advanceMs(1_000);
            h.turn(heartbeat("a2"), call("fw", io.drover.api.protocol.KeepAlive.newBuilder().build()));
            h.eventsTo("fw").stream().filter(e -> e instanceof Update).forEach(e -> updates.add((Update) e));
            failure |= h.eventsTo("fw").stream().anyMatch(e -> e instanceof io.drover.api.protocol.Failure);
        }
        assertFalse(h.state.agents().containsKey("a1"));
        assertEquals(TaskState.GONE, updates.get(updates.size() - 1).getStatus().getState());
        assertTrue(failure);
        assertTrue(h.state.tasks().isEmpty(), "a task the master ended itself needs no acknowledgement");
        h.turn(heartbeat("a1"));
        assertInstanceOf(io.drover.api.protocol.ShutdownAgent.class, h.commandsTo("a1").get(0));
    }

    @Test
    void aSilentFrameworkIsDisconnectedThenTornDownAfterItsFailoverTimeout() {
        h.turn(register("a1", ResourceMath.of(2, 1024, 0, 0), 1));
        h.turn(call("fw", io.drover.api.protocol.Subscribe.newBuilder().setFrameworkName("fw")
                .setSubscriptionId("s1").setFailoverTimeoutMs(60_000).build()));
        h.turn(accept("fw", onlyOffer("fw").getOfferId(), task("t1", "a1", 1, 512)));
        // Three heartbeat intervals (15 s) of silence: disconnected, offers rescinded, nothing offered.
        tick(16, List.of(), List.of("a1"));
        assertTrue(h.logic.soft().isDisconnected("fw"));
        assertTrue(h.state.offers().isEmpty());
        // It calls again: connected, offered again.
        h.turn(call("fw", io.drover.api.protocol.KeepAlive.newBuilder().build()));
        assertFalse(h.logic.soft().isDisconnected("fw"));
        assertFalse(h.state.offers().isEmpty());
        // Silent for 15 s + its 60 s failover timeout: torn down, its task killed.
        boolean killed = false;
        for (int i = 0; i < 76 && h.state.frameworks().containsKey("fw"); i++) {
            h.clock.advanceMs(1_000);
            h.turn(heartbeat("a1"));
            killed |= h.commandsTo("a1").stream().anyMatch(c -> c instanceof io.drover.api.protocol.KillTask);
        }
        assertFalse(h.state.frameworks().containsKey("fw"));
        assertTrue(killed);
    }

    /** Advances the clock a second at a time; only these frameworks call and only these agents heartbeat. */
    private void tick(int seconds, List<String> frameworks, List<String> agents) {
        for (int i = 0; i < seconds; i++) {
            h.clock.advanceMs(1_000);
            List<Object> inputs = new java.util.ArrayList<>();
            frameworks.forEach(fw -> inputs.add(call(fw, io.drover.api.protocol.KeepAlive.newBuilder().build())));
            agents.forEach(a -> inputs.add(heartbeat(a)));
            h.turn(inputs.toArray());
        }
    }

    private List<Offer> offersOf(String fw) {
        return ((Offers) h.eventsTo(fw).stream().filter(e -> e instanceof Offers).findFirst().orElseThrow()).getOffers();
    }

    @Test
    void aDrainedAgentIsOfferedToNobodyUntilItsTasksEndAndItComesBack() {
        h.turn(register("a1", ResourceMath.of(2, 1024, 0, 0), 1));
        h.turn(subscribe("fw"));
        h.turn(accept("fw", onlyOffer("fw").getOfferId(), task("t1", "a1", 1, 512)));
        h.clock.advanceMs(5_001); // past the accept's filter: the rest of a1 is offered again
        h.turn(h.liveness().toArray());
        assertEquals(1, h.state.offersOn("a1").size());

        var batch = new io.drover.master.handler.Batch(h.state);
        assertTrue(h.logic.onDrainRequest("a1", true, batch));
        assertFalse(h.logic.onDrainRequest("nope", true, batch));
        h.turn(h.liveness().toArray());
        assertEquals(io.drover.api.protocol.DrainState.DRAINING, h.state.drain("a1"));
        assertTrue(h.state.offersOn("a1").isEmpty(), "the drained agent's offer was rescinded");
        h.clock.advanceMs(10_000);
        h.turn(h.liveness().toArray());
        assertTrue(h.state.offersOn("a1").isEmpty(), "nothing of a draining agent is offered");

        h.turn(status("a1", "fw", "t1", TaskState.FINISHED, 0));
        assertEquals(io.drover.api.protocol.DrainState.DRAINED, h.state.drain("a1"));

        batch = new io.drover.master.handler.Batch(h.state);
        h.logic.onDrainRequest("a1", false, batch);
        h.turn(h.liveness().toArray());
        assertEquals(io.drover.api.protocol.DrainState.NONE, h.state.drain("a1"));
        assertEquals(1, h.state.offersOn("a1").size(), "back in service: offered again");
    }

    @Test
    void aBigClusterIsOfferedInBoundedMessages() {
        Object[] registrations = new Object[2_500];
        for (int i = 0; i < registrations.length; i++) {
            registrations[i] = register(String.format("a%04d", i), ResourceMath.of(1, 512, 0, 0), 1);
        }
        h.turn(registrations);
        h.turn(subscribe("fw"));
        List<Offers> messages = h.eventsTo("fw").stream().filter(e -> e instanceof Offers).map(e -> (Offers) e).toList();
        assertEquals(3, messages.size());
        assertEquals(2_500, messages.stream().mapToInt(m -> m.getOffers().size()).sum());
    }

    @Test
    void outputTailsGoToTheFrameworkButNotIntoTheLog() {
        h.turn(register("a1", ResourceMath.of(1, 512, 0, 0), 1));
        h.turn(subscribe("fw"));
        h.turn(accept("fw", onlyOffer("fw").getOfferId(), task("t1", "a1", 1, 512)));
        var finished = status("a1", "fw", "t1", TaskState.FINISHED, 0);
        finished.getUpdates().get(0).setStdoutTail("hello\n");
        h.turn(finished);
        assertEquals("hello\n", ((Update) h.eventsTo("fw").get(0)).getStatus().getStdoutTail());
        var logged = (io.drover.api.protocol.TaskStatusChanged) h.log.get(h.log.size() - 1).getEvents().stream()
                .filter(e -> e instanceof io.drover.api.protocol.TaskStatusChanged).findFirst().orElseThrow();
        assertEquals(null, logged.getStatus().getStdoutTail());
    }

    static io.drover.api.protocol.AgentMessage heartbeat(String agentId) {
        return io.drover.api.protocol.AgentMessage.newBuilder()
                .setHeader(io.drover.api.Envelopes.header(agentId, java.time.Clock.systemUTC()))
                .setAgentId(agentId)
                .setBody(io.drover.api.protocol.AgentHeartbeat.newBuilder().setSequence(1).build())
                .build();
    }
}
