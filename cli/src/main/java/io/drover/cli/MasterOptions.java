package io.drover.cli;

import picocli.CommandLine.Option;

/**
 * How a subcommand finds the master's HTTP API: --master, else the master log's tail, using the
 * --bootstrap its parent command inherits to it.
 */
final class MasterOptions {
    @Option(names = "--master", paramLabel = "URL", description = "the master's HTTP address, as http://host:5050 (default: found in drover.master-log)")
    String master;

    MasterApi api(ClusterOptions cluster) {
        return new MasterApi(master != null ? master.replaceAll("/+$", "") : MasterLocator.locate(cluster.bootstrap()));
    }
}
