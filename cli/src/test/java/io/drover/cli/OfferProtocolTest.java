package io.drover.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.scheduler.OfferView;
import io.drover.api.scheduler.ResourceSpec;
import io.drover.api.scheduler.SchedulerClient;
import io.drover.api.scheduler.SchedulerConfig;
import io.drover.api.scheduler.SchedulerEvent;
import io.drover.api.scheduler.TaskPhase;
import io.drover.api.scheduler.TaskSpec;
import io.drover.api.scheduler.TaskUpdate;
import io.drover.cli.local.LocalCluster;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every call and event of the offer protocol, through the scheduler client, on a real broker, master and agents. */
class OfferProtocolTest {
    @TempDir
    static Path dir;
    static LocalCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.start(dir, 2, 0);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Collects events and acknowledges updates, like a framework's event loop. */
    static final class Inbox {
        final SchedulerClient client;
        final Map<String, OfferView> offers = new HashMap<>();
        final List<TaskUpdate> updates = new ArrayList<>();
        final List<SchedulerEvent> others = new ArrayList<>();

        Inbox(SchedulerClient client) {
            this.client = client;
        }

        void pump() {
            for (SchedulerEvent e : client.poll(Duration.ofMillis(100))) {
                if (e instanceof SchedulerEvent.OffersReceived o) {
                    o.offers().forEach(offer -> offers.put(offer.offerId(), offer));
                } else if (e instanceof SchedulerEvent.OfferRescinded r) {
                    offers.remove(r.offerId());
                } else if (e instanceof SchedulerEvent.TaskUpdated u) {
                    updates.add(u.update());
                    client.acknowledge(u.update());
                } else {
                    others.add(e);
                }
            }
        }

        void until(Predicate<Inbox> condition) {
            await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).until(() -> {
                pump();
                return condition.test(this);
            });
        }

        OfferView takeOffer(String agentId) {
            until(in -> in.offers.values().stream().anyMatch(o -> agentId == null || o.agentId().equals(agentId)));
            OfferView o = offers.values().stream().filter(x -> agentId == null || x.agentId().equals(agentId)).findFirst().orElseThrow();
            offers.remove(o.offerId());
            return o;
        }

        TaskUpdate last(String taskId) {
            TaskUpdate found = null;
            for (TaskUpdate u : updates) {
                if (u.taskId().equals(taskId)) {
                    found = u;
                }
            }
            return found;
        }

        boolean reached(String taskId, TaskPhase phase) {
            return updates.stream().anyMatch(u -> u.taskId().equals(taskId) && u.phase() == phase);
        }
    }

    private static TaskSpec task(String id, OfferView offer, double cpus, String... command) {
        return new TaskSpec(id, id, offer.agentId(), new ResourceSpec(cpus, 32, 0, 0), List.of(command), Map.of());
    }

    @Test
    void everyCallGetsItsAnswer() {
        SchedulerConfig config = new SchedulerConfig(cluster.bootstrap(), "proto-fw", "protocol test", "alice", "*", 60_000,
                Clock.systemUTC());
        try (SchedulerClient client = new SchedulerClient(config)) {
            SchedulerEvent.Subscribed subscribed = client.subscribe(Duration.ofSeconds(30));
            assertEquals("proto-fw", subscribed.frameworkId());
            Inbox in = new Inbox(client);
            String agentA = cluster.agents().get(0).agentId();
            String agentB = cluster.agents().get(1).agentId();

            // ACCEPT two tasks on one offer: STAGING at once, then RUNNING, FINISHED or still running.
            OfferView a = in.takeOffer(agentA);
            client.accept(List.of(a.offerId()), List.of(task("sleeper", a, 0.25, "sleep", "60"), task("quick", a, 0.25, "true")), 0);
            in.until(i -> i.reached("quick", TaskPhase.FINISHED) && i.reached("sleeper", TaskPhase.RUNNING));
            assertTrue(in.reached("sleeper", TaskPhase.STAGING));

            // RECONCILE, explicit (one known, one unknown) and implicit.
            client.reconcile(List.of("sleeper", "no-such-task"));
            in.until(i -> i.reached("no-such-task", TaskPhase.LOST)
                    && i.updates.stream().filter(u -> u.taskId().equals("sleeper") && u.reason().equals("RECONCILIATION")).count() == 1);
            client.reconcile(List.of());
            in.until(i -> i.updates.stream().filter(u -> u.taskId().equals("sleeper") && u.reason().equals("RECONCILIATION")).count() == 2);

            // KILL: the process tree goes, KILLED comes back.
            client.kill("sleeper");
            in.until(i -> i.reached("sleeper", TaskPhase.KILLED));

            // Invalid ACCEPTs are answered: an offer that is gone, tasks that do not fit.
            client.accept(List.of(a.offerId()), List.of(task("late", a, 0.25, "true")), 0);
            in.until(i -> i.reached("late", TaskPhase.DROPPED));
            OfferView b = in.takeOffer(agentB);
            client.accept(List.of(b.offerId()), List.of(task("huge", b, 1000, "true")), 0);
            in.until(i -> i.reached("huge", TaskPhase.ERROR));
            assertTrue(in.last("huge").message().contains("cpus=1000"), in.last("huge").message());

            // DECLINE with a long filter: that agent is not offered again; REVIVE clears it.
            in.until(i -> i.offers.values().stream().anyMatch(o -> o.agentId().equals(agentB)));
            OfferView again = in.takeOffer(agentB);
            client.decline(List.of(again.offerId()), 3600);
            in.offers.clear();
            for (int n = 0; n < 10; n++) {
                in.pump();
            }
            assertTrue(in.offers.values().stream().noneMatch(o -> o.agentId().equals(agentB)), "agent B is filtered");
            client.revive();
            in.until(i -> i.offers.values().stream().anyMatch(o -> o.agentId().equals(agentB)));

            // SUPPRESS: no offers at all; REVIVE: offers again.
            client.suppress();
            List<String> outstanding = new ArrayList<>(in.offers.keySet());
            client.decline(outstanding, 0);
            in.offers.clear();
            for (int n = 0; n < 15; n++) {
                in.pump();
            }
            assertTrue(in.offers.isEmpty(), "a suppressed framework gets no offers: " + in.offers);
            client.revive();
            in.until(i -> !i.offers.isEmpty());

            // A call under another principal is refused with an ERROR event.
            try (SchedulerClient mallory = new SchedulerClient(new SchedulerConfig(cluster.bootstrap(), "proto-fw", "x", "mallory",
                    "*", 0, Clock.systemUTC()))) {
                mallory.teardown();
            }
            in.until(i -> i.others.stream().anyMatch(e -> e instanceof SchedulerEvent.CallRefused r && r.message().contains("mallory")));

            // HEARTBEAT: the master says it is alive every 5 s.
            in.until(i -> i.others.stream().anyMatch(e -> e instanceof SchedulerEvent.MasterHeartbeat));

            // TEARDOWN: the framework is gone from the master.
            client.teardown();
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.master().view().frameworks().stream()
                    .noneMatch(f -> f.id().equals("proto-fw")));
        }
    }
}
