package io.drover.cli;

import static org.awaitility.Awaitility.await;

import io.drover.broker.EmbeddedKafka;
import io.drover.executor.ChronicleFlags;
import io.drover.master.MasterMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the agent-crash tests run on: a real broker, a master in its own JVM, and `drover agent`
 * in a child JVM (on {@code dir/agent}), so the test can SIGKILL the agent and start a new run on
 * the same work directory. Each agent run's output goes to {@code dir/agent-RUN.out}; closing
 * prints those outputs and stops the agent, the master and the broker.
 */
final class CrashCluster implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(90);

    private final Path dir;
    private final EmbeddedKafka kafka;
    private final Process master;
    private Process agent;
    private int runs;

    private CrashCluster(Path dir, EmbeddedKafka kafka, Process master) {
        this.dir = dir;
        this.kafka = kafka;
        this.master = master;
    }

    /** Starts the broker and the master and waits until the master is active. */
    static CrashCluster start(Path dir) throws IOException {
        EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
        Path masterOut = dir.resolve("master.out");
        Process master;
        try {
            master = new ProcessBuilder(java(), "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    MasterMain.class.getName(), kafka.bootstrap(), dir.resolve("master").toString(), "master-1")
                    .redirectErrorStream(true).redirectOutput(masterOut.toFile()).start();
        } catch (IOException | RuntimeException e) {
            kafka.close();
            throw e;
        }
        CrashCluster cluster = new CrashCluster(dir, kafka, master);
        await().atMost(WAIT).until(() -> Files.readString(masterOut).contains("ACTIVE epoch=1"));
        return cluster;
    }

    String bootstrap() {
        return kafka.bootstrap();
    }

    /** The agent process of the latest run. */
    Process agent() {
        return agent;
    }

    /**
     * Starts the next agent run (2 cpus, 1 GiB memory and disk) with these extra flags and waits
     * until it offers its resources.
     */
    Process startAgent(String... extraArgs) throws IOException {
        Path out = dir.resolve("agent-" + ++runs + ".out");
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx256m", "-XX:+UseSerialGC"));
        cmd.addAll(ChronicleFlags.JVM_ARGS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "agent",
                "--bootstrap", kafka.bootstrap(), "--work-dir", dir.resolve("agent").toString(),
                "--cpus", "2", "--mem", "1g", "--disk", "1g", "--http-listen", "localhost:0"));
        cmd.addAll(List.of(extraArgs));
        agent = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        await().atMost(WAIT).until(() -> Files.readString(out).contains(" offers "));
        return agent;
    }

    @Override
    public void close() throws IOException {
        for (int run = 1; run <= runs; run++) {
            Path out = dir.resolve("agent-" + run + ".out");
            if (Files.exists(out)) {
                System.out.println("---- agent run " + run + "\n" + Files.readString(out));
            }
        }
        if (agent != null) {
            agent.destroy();
            try {
                agent.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            agent.destroyForcibly();
        }
        master.destroyForcibly();
        kafka.close();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
