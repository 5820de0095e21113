package io.drover.cli;

import io.drover.master.Master;
import io.drover.master.MasterConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "master", mixinStandardHelpOptions = true,
        description = "Run a master against a Kafka cluster until Ctrl-C. A second master with the same cluster fences the first.")
final class MasterCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--data-dir", required = true, description = "where the master keeps its RocksDB state")
    Path dataDir;

    @Option(names = "--master-id", description = "this master's name (default: master-PID)")
    String masterId;

    @Option(names = "--offer-timeout", defaultValue = "30s", converter = Units.DurationConverter.class,
            description = "rescind offers outstanding longer than this (default: ${DEFAULT-VALUE})")
    Duration offerTimeout;

    @Option(names = "--http", defaultValue = MasterConfig.DEFAULT_HTTP_LISTEN,
            description = "where the HTTP API listens, host:port; empty for none (default: ${DEFAULT-VALUE})")
    String httpListen;

    @Override
    public Integer call() throws Exception {
        MasterConfig config = MasterConfig.defaults(cluster.bootstrap(), dataDir).withOfferTimeoutMs(offerTimeout.toMillis())
                .withHttpListen(httpListen);
        if (masterId != null) {
            config = config.withMasterId(masterId);
        }
        Master master = new Master(config, Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(master::close, "master-stop"));
        master.start();
        if (master.awaitActive(Duration.ofMinutes(5))) {
            System.out.println("master " + config.masterId() + " active in epoch " + master.epoch() + " on " + cluster.bootstrap()
                    + (master.httpAddress().isEmpty() ? "" : ", HTTP at http://" + master.httpAddress()));
        }
        master.awaitStopped();
        if (master.failure() != null) {
            System.err.println("drover master: stopped: " + Main.userMessage(master.failure()));
            return 1;
        }
        return 0;
    }
}
