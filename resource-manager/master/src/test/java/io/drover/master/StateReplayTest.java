package io.drover.master;

import static io.drover.master.Harness.accept;
import static io.drover.master.Harness.register;
import static io.drover.master.Harness.status;
import static io.drover.master.Harness.subscribe;
import static io.drover.master.Harness.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.drover.api.Envelopes;
import io.drover.api.ResourceMath;
import io.drover.api.protocol.AgentHeartbeat;
import io.drover.api.protocol.AgentMessage;
import java.util.ArrayList;
import java.util.List;
import io.drover.api.codec.Codecs;
import io.drover.api.protocol.MasterLogRecord;
import io.drover.api.protocol.Offer;
import io.drover.api.protocol.Offers;
import io.drover.api.protocol.TaskState;
import io.drover.master.state.MasterState;
import io.drover.master.state.StateStore;
import io.drover.master.state.TaskEntry;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same log always rebuilds the same state, from scratch or from RocksDB plus the rest. */
class StateReplayTest {
    @TempDir
    Path dir;

    static String digest(MasterState s) {
        return StateDigest.of(s);
    }

    /** A random but seeded run of agents, frameworks, accepts and updates through the logic. */
    static Harness randomRun(long seed, int steps) {
        Random random = new Random(seed);
        Harness h = new Harness();
        for (int i = 0; i < 5; i++) {
            h.turn(register("a" + i, ResourceMath.of(1 + random.nextInt(8), 1024L * (1 + random.nextInt(8)), 0, 0), 1));
        }
        h.turn(subscribe("fw-1"), subscribe("fw-2"));
        int taskNo = 0;
        for (int step = 0; step < steps; step++) {
            for (String fw : new String[] {"fw-1", "fw-2"}) {
                for (Object e : h.eventsTo(fw)) {
                    if (e instanceof Offers offers) {
                        for (Offer o : offers.getOffers()) {
                            if (random.nextBoolean()) {
                                double cpus = Math.min(o.getResources().getCpus(), 0.5 + random.nextInt(2));
                                if (random.nextInt(3) == 0 && o.getResources().getCpus() >= cpus + 0.5 && o.getResources().getMemMb() >= 512) {
                                    h.turn(accept(fw, o.getOfferId(), Harness.executorTask("t" + taskNo++, o.getAgentId(), cpus, 256,
                                            "e" + random.nextInt(2), 0.5, 256)));
                                } else {
                                    h.turn(accept(fw, o.getOfferId(), task("t" + taskNo++, o.getAgentId(), cpus, 256)));
                                }
                            }
                        }
                    }
                }
            }
            for (TaskEntry t : h.state.tasks().values()) {
                if (!t.isTerminal() && random.nextInt(3) == 0) {
                    TaskState next = t.state() == TaskState.STAGING ? TaskState.RUNNING
                            : random.nextBoolean() ? TaskState.FINISHED : TaskState.FAILED;
                    h.turn(status(t.task().getAgentId(), t.frameworkId(), t.task().getTaskId(), next, null));
                    break;
                }
            }
            if (!h.state.executors().isEmpty() && random.nextInt(4) == 0) {
                var executors = new ArrayList<>(h.state.executors().values());
                var x = executors.get(random.nextInt(executors.size()));
                h.turn(Harness.executorEnded(x.getAgentId(), x.getFrameworkId(), x.getExecutorId()));
            }
            h.clock.advanceMs(random.nextInt(3_000));
            List<Object> heartbeats = new ArrayList<>();
            for (String fw : h.state.frameworks().keySet()) {
                heartbeats.add(Harness.call(fw, io.drover.api.protocol.KeepAlive.newBuilder().build()));
            }
            for (String agentId : h.state.agents().keySet()) {
                heartbeats.add(AgentMessage.newBuilder().setHeader(Envelopes.header(agentId, h.clock)).setAgentId(agentId)
                        .setBody(AgentHeartbeat.newBuilder().setSequence(step).build()).build());
            }
            h.turn(heartbeats.toArray());
        }
        return h;
    }

    @Test
    void replayingTheLogRebuildsTheSameStateEveryTime() throws Exception {
        Harness h = randomRun(7, 200);
        assertFalse(h.state.tasks().isEmpty());
        // The run charged and freed executors too.
        List<Object> events = h.log.stream().flatMap(r -> r.getEvents().stream()).toList();
        org.junit.jupiter.api.Assertions.assertTrue(events.stream().anyMatch(io.drover.api.protocol.ExecutorAdded.class::isInstance));
        org.junit.jupiter.api.Assertions.assertTrue(events.stream().anyMatch(io.drover.api.protocol.ExecutorRemoved.class::isInstance));
        MasterState a = new MasterState();
        MasterState b = new MasterState();
        for (MasterLogRecord r : h.log) {
            // Through the wire format, as a standby would read it.
            a.replay(Codecs.MASTER_LOG_RECORD.decode(Codecs.MASTER_LOG_RECORD.encode(r)));
            b.replay(Codecs.MASTER_LOG_RECORD.decode(Codecs.MASTER_LOG_RECORD.encode(r)));
        }
        assertEquals(digest(h.state), digest(a));
        assertEquals(digest(a), digest(b));
    }

    @Test
    void rocksDbPlusTheRestOfTheLogEqualsTheWholeLog() throws Exception {
        Harness h = randomRun(11, 150);
        int cut = h.log.size() / 2;
        MasterState partial = new MasterState();
        try (StateStore store = new StateStore(dir)) {
            for (int i = 0; i < cut; i++) {
                partial.replay(h.log.get(i));
                store.persist(partial, i + 1);
            }
        }
        MasterState recovered;
        long next;
        try (StateStore store = new StateStore(dir)) {
            recovered = store.load();
            next = store.nextLogOffset();
        }
        assertEquals(cut, next);
        assertEquals(digest(partial), digest(recovered));
        for (int i = (int) next; i < h.log.size(); i++) {
            recovered.replay(h.log.get(i));
        }
        assertEquals(digest(h.state), digest(recovered));
    }
}
