package io.drover.cli;

import io.drover.broker.EmbeddedKafka;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run a single-node Apache Kafka broker (KRaft) with its storage in a data directory, until Ctrl-C.")
final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--data-dir", required = true, description = "where the broker keeps its logs and metadata")
    Path dataDir;

    @Option(names = "--port", defaultValue = "19092", description = "client port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--controller-port", defaultValue = "0",
            description = "KRaft controller port (default: a free port, remembered in the data dir)")
    int controllerPort;

    @Override
    public Integer call() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, port, controllerPort);
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "broker-stop"));
        System.out.println("Kafka broker ready at " + kafka.bootstrap() + " (data in " + dataDir.toAbsolutePath()
                + ", log " + kafka.logFile() + "). Press Ctrl-C to stop.");
        System.out.flush();
        int code = kafka.waitFor();
        return code == 0 || code == 143 ? 0 : 1;
    }
}
