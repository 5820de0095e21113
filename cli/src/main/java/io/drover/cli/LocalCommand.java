package io.drover.cli;

import io.drover.api.kafka.KafkaClients;
import io.drover.cli.local.LocalCluster;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "local", mixinStandardHelpOptions = true,
        description = {"Run a whole cluster on this machine: a real single-node Kafka broker, a master and N agents.",
            "Other commands find it at " + KafkaClients.DEFAULT_BOOTSTRAP + " without flags. Ctrl-C stops all of it."})
final class LocalCommand implements Callable<Integer> {
    @Option(names = "--agents", defaultValue = "2", description = "number of agents (default: ${DEFAULT-VALUE})")
    int agents;

    @Option(names = "--data-dir", defaultValue = ".drover/local",
            description = "where the broker, master and agents keep their data (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--port", defaultValue = "19092", description = "the broker's client port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--http-port", defaultValue = "5050", description = "the master's HTTP port on localhost (default: ${DEFAULT-VALUE})")
    int httpPort;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        System.err.println("starting a local Drover cluster in " + dataDir.toAbsolutePath() + " ...");
        LocalCluster cluster = LocalCluster.start(dataDir, agents, port, httpPort);
        try {
            cluster.startJobService();
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("stopping the local cluster ...");
            cluster.close();
            System.err.println("stopped.");
            stopped.countDown();
        }, "local-stop"));
        System.out.printf("Drover local cluster ready in %.1f s:%n", (System.nanoTime() - start) / 1e9);
        System.out.print(cluster.describe());
        System.out.println("  job service      framework drover-jobs, state in " + cluster.dataDir().resolve("jobs"));
        System.out.println("Try: ./drover exec --cpus 0.5 --mem 64m -- echo hello    and    ./drover cluster status");
        System.out.println("     ./drover job submit wordcount --input README.md --output /tmp/wc-out");
        System.out.println("Press Ctrl-C to stop.");
        System.out.flush();
        // Serve until the master stops by itself (fenced or failed) or Ctrl-C ends the JVM.
        cluster.master().awaitStopped();
        if (cluster.master() != null && cluster.master().failure() != null) {
            System.err.println("drover local: the master stopped: " + Main.userMessage(cluster.master().failure()));
            return 1;
        }
        stopped.await();
        return 0;
    }
}
