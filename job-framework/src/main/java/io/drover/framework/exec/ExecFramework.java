package io.drover.framework.exec;

import io.drover.api.scheduler.OfferView;
import io.drover.api.scheduler.ResourceSpec;
import io.drover.api.scheduler.SchedulerClient;
import io.drover.api.scheduler.SchedulerConfig;
import io.drover.api.scheduler.SchedulerEvent;
import io.drover.api.scheduler.SchedulerException;
import io.drover.api.scheduler.TaskPhase;
import io.drover.api.scheduler.TaskSpec;
import io.drover.api.scheduler.TaskUpdate;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * A one-shot framework that runs one command, like {@code mesos-execute}: it subscribes, waits for
 * an offer that fits, launches the command, reports each state change, prints the task's output,
 * and tears itself down. A request no offer fits ends after {@link ExecRequest#offerTimeout()}.
 */
public final class ExecFramework {
    /** Exit code when Drover itself could not run the command (no master, nothing fits, task lost). */
    public static final int DROVER_ERROR = 125;
    /** How long an unused offer is refused: short, since an exec waits for a fitting one. */
    private static final double REFUSE_SECONDS = 1.0;
    private static final Duration POLL = Duration.ofMillis(100);

    private final String bootstrap;
    private final Clock clock;
    private final PrintStream out;
    private final PrintStream err;
    private String role = "*";

    /**
     * @param out receives the task's stdout
     * @param err receives state changes, the task's stderr and errors
     */
    public ExecFramework(String bootstrap, Clock clock, PrintStream out, PrintStream err) {
        this.bootstrap = bootstrap;
        this.clock = clock;
        this.out = out;
        this.err = err;
    }

    /** The same framework subscribing in {@code role}. */
    public ExecFramework withRole(String role) {
        this.role = role;
        return this;
    }

    /** Runs the request to its end and says how it ended. */
    public ExecResult run(ExecRequest request) {
        String frameworkId = "exec-" + UUID.randomUUID().toString().substring(0, 13);
        String taskId = sanitize(request.name()) + "-" + UUID.randomUUID().toString().substring(0, 8);
        SchedulerConfig config = new SchedulerConfig(bootstrap, frameworkId, "drover-exec " + request.name(),
                System.getProperty("user.name", "drover"), role, 0, clock);
        try (SchedulerClient client = new SchedulerClient(config)) {
            // Once SUBSCRIBE is out the master may know the framework: make sure it goes away
            // with this process, Ctrl-C included, so that its task is killed and its offers return.
            Thread teardownOnExit = new Thread(() -> safeTeardown(client), "exec-teardown");
            Runtime.getRuntime().addShutdownHook(teardownOnExit);
            try {
                client.subscribe(request.subscribeTimeout());
                return runTask(client, request, taskId);
            } finally {
                safeTeardown(client);
                try {
                    Runtime.getRuntime().removeShutdownHook(teardownOnExit);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running or about to: nothing to undo
                }
            }
        } catch (SchedulerException e) {
            return new ExecResult(taskId, null, DROVER_ERROR, e.getMessage());
        }
    }

    private ExecResult runTask(SchedulerClient client, ExecRequest request, String taskId) {
        long offerDeadline = clock.millis() + request.offerTimeout().toMillis();
        boolean launched = false;
        ResourceSpec largest = null;
        while (true) {
            if (!launched && clock.millis() > offerDeadline) {
                String seen = largest == null ? "no offer at all arrived (are any agents registered?)"
                        : "the largest offer was " + largest;
                return new ExecResult(taskId, null, DROVER_ERROR, "no agent could fit " + request.resources()
                        + " within " + request.offerTimeout().toSeconds() + " s: " + seen);
            }
            for (SchedulerEvent event : client.poll(POLL)) {
                if (event instanceof SchedulerEvent.OffersReceived offers) {
                    for (OfferView offer : offers.offers()) {
                        if (largest == null || offer.resources().cpus() > largest.cpus()
                                || offer.resources().memMb() > largest.memMb()) {
                            largest = offer.resources();
                        }
                        if (!launched && request.resources().fitsIn(offer.resources())) {
                            TaskSpec task = new TaskSpec(taskId, request.name(), offer.agentId(), request.resources(),
                                    request.command(), request.environment(), request.uris());
                            client.accept(List.of(offer.offerId()), List.of(task), REFUSE_SECONDS);
                            launched = true;
                            err.println("[drover] launching " + taskId + " on " + offer.hostname()
                                    + " (agent " + offer.agentId() + ") with " + request.resources());
                        } else {
                            client.decline(List.of(offer.offerId()), launched ? 3600 : REFUSE_SECONDS);
                        }
                    }
                } else if (event instanceof SchedulerEvent.TaskUpdated updated) {
                    TaskUpdate u = updated.update();
                    if (!u.taskId().equals(taskId)) {
                        client.acknowledge(u);
                        continue;
                    }
                    err.println("[drover] task " + taskId + " " + u.phase()
                            + (u.message() == null || u.message().isEmpty() ? "" : ": " + u.message()));
                    if (u.phase().isTerminal()) {
                        printTails(u);
                        client.acknowledge(u);
                        return result(taskId, u);
                    }
                    client.acknowledge(u);
                } else if (event instanceof SchedulerEvent.CallRefused refused) {
                    err.println("[drover] the master refused " + refused.callType() + ": " + refused.message());
                }
            }
        }
    }

    private void printTails(TaskUpdate u) {
        if (u.stdoutTail() != null && !u.stdoutTail().isEmpty()) {
            out.print(u.stdoutTail());
            out.flush();
        }
        if (u.stderrTail() != null && !u.stderrTail().isEmpty()) {
            err.print(u.stderrTail());
            err.flush();
        }
    }

    private static ExecResult result(String taskId, TaskUpdate u) {
        TaskPhase phase = u.phase();
        if (phase == TaskPhase.FINISHED) {
            return new ExecResult(taskId, phase, 0, "finished");
        }
        if (phase == TaskPhase.FAILED && u.exitCode() != null) {
            return new ExecResult(taskId, phase, u.exitCode(), "exited with code " + u.exitCode());
        }
        if (phase == TaskPhase.KILLED) {
            return new ExecResult(taskId, phase, 137, "killed");
        }
        return new ExecResult(taskId, phase, DROVER_ERROR, phase + " (" + u.reason() + "): " + u.message());
    }

    private static void safeTeardown(SchedulerClient client) {
        if (!client.subscribeSent()) {
            return; // the master never heard of it (and Kafka may be unreachable)
        }
        try {
            client.teardown();
        } catch (RuntimeException ignored) {
            // Best effort on the way out. A framework whose teardown is lost stays known to the
            // master until framework failover timeouts are enforced (a later issue).
        }
    }

    private static String sanitize(String name) {
        String s = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.isEmpty() ? "task" : s.substring(0, Math.min(s.length(), 100));
    }
}
