package io.drover.master;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Runs one master in its own JVM until it is stopped or fenced: {@code MasterMain BOOTSTRAP
 * DATA_DIR [MASTER_ID]}. The {@code drover master} command is the user-facing way to do the
 * same; this entry point exists so that tests can run (and kill -9) a master as a real process.
 */
public final class MasterMain {
    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2) {
            System.err.println("usage: MasterMain BOOTSTRAP DATA_DIR [MASTER_ID]");
            System.exit(2);
        }
        MasterConfig config = MasterConfig.defaults(args[0], Path.of(args[1]));
        if (args.length > 2) {
            config = config.withMasterId(args[2]);
        }
        Master master = new Master(config, Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(master::close, "master-stop"));
        master.start();
        if (master.awaitActive(Duration.ofMinutes(5))) {
            System.out.println("ACTIVE epoch=" + master.epoch());
            System.out.flush();
        }
        master.awaitStopped();
        System.exit(master.failure() == null ? 0 : 1);
    }

    private MasterMain() {}
}
