package io.drover.cli;

import io.drover.api.kafka.KafkaClients;
import picocli.CommandLine.Option;

/** The --bootstrap option every command that talks to a cluster takes. */
public final class ClusterOptions {
    @Option(names = "--bootstrap", paramLabel = "HOST:PORT[,..]", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Kafka cluster to use (default: $" + KafkaClients.BOOTSTRAP_ENV + ", else "
                    + KafkaClients.DEFAULT_BOOTSTRAP + ", where `drover local` runs its broker)")
    String bootstrap;

    public String bootstrap() {
        return KafkaClients.resolveBootstrap(bootstrap);
    }
}
