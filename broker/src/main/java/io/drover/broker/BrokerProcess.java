package io.drover.broker;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Entry point of the broker's own JVM: formats the storage on first use, then runs Apache
 * Kafka's {@code kafka.Kafka} in KRaft mode (broker and controller in one node). With
 * {@code --exit-on-stdin-close}, the broker shuts down cleanly when its parent's end of stdin
 * closes, so a parent that dies (even by SIGKILL) never leaves a broker behind.
 *
 * <p>Arguments: {@code DATA_DIR PROPERTIES_FILE [--exit-on-stdin-close]}.
 */
public final class BrokerProcess {
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: BrokerProcess DATA_DIR PROPERTIES_FILE [--exit-on-stdin-close]");
            System.exit(2);
        }
        Path dataDir = Path.of(args[0]);
        Path properties = Path.of(args[1]);
        boolean watchStdin = args.length > 2 && args[2].equals("--exit-on-stdin-close");
        Path logDir = dataDir.resolve(BrokerLayout.LOG_DIR);
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
            int rc = kafka.tools.StorageTool.execute(new String[] {
                "format", "-t", clusterId, "-c", properties.toString(), "--standalone"}, new PrintStream(System.out));
            if (rc != 0) {
                System.err.println("formatting the Kafka storage in " + logDir + " failed (exit " + rc + ")");
                System.exit(1);
            }
        }
        if (watchStdin) {
            Thread watcher = new Thread(() -> {
                try (InputStream in = System.in) {
                    while (in.read() >= 0) {
                        // Nothing is sent on stdin; reading only waits for the parent to go away.
                    }
                } catch (IOException ignored) {
                    // A broken pipe means the same as end of stream.
                }
                System.exit(0);
            }, "parent-watch");
            watcher.setDaemon(true);
            watcher.start();
        }
        kafka.Kafka.main(new String[] {properties.toString()});
    }

    private BrokerProcess() {}
}
