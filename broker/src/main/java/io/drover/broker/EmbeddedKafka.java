package io.drover.broker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka broker (KRaft, broker and controller in one node) running in a
 * child JVM from Kafka's own artifacts, with its storage in a data directory. Used by
 * {@code drover broker}, {@code drover local} and the integration tests. The child shuts down
 * when {@link #close()} is called or when this JVM goes away (its stdin closes).
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    /** How long to wait for the broker to answer after start. */
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    /** How long a clean shutdown may take before the broker is killed. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final String HOST = "localhost";
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private final Path dataDir;
    private final int port;
    private final Process process;
    private volatile boolean closed;

    private EmbeddedKafka(Path dataDir, int port, Process process) {
        this.dataDir = dataDir;
        this.port = port;
        this.process = process;
    }

    /** Starts a broker in {@code dataDir} on free ports and waits until it answers. */
    public static EmbeddedKafka start(Path dataDir) throws IOException {
        return start(dataDir, 0, 0);
    }

    /**
     * Starts a broker in {@code dataDir} on the given client and controller ports (0 picks a free
     * one) and waits until it answers. A data directory formatted earlier keeps its controller port.
     *
     * @throws IOException when the ports are taken, the directory is unusable, or the broker
     *     does not answer within {@link #READY_TIMEOUT} (the message quotes its log)
     */
    public static EmbeddedKafka start(Path dataDir, int port, int controllerPort) throws IOException {
        Files.createDirectories(dataDir);
        Path portsFile = dataDir.resolve(BrokerLayout.PORTS_FILE);
        if (Files.exists(portsFile)) {
            int formatted = Integer.parseInt(BrokerLayout.read(portsFile).getProperty("controller.port"));
            if (controllerPort != 0 && controllerPort != formatted) {
                throw new IOException("the Kafka storage in " + dataDir + " was formatted for controller port "
                        + formatted + ", not " + controllerPort + "; use another --data-dir or that port");
            }
            controllerPort = formatted;
        }
        port = port == 0 ? freePort() : requireFree(port, "Kafka client");
        controllerPort = controllerPort == 0 ? freePort() : requireFree(controllerPort, "Kafka controller");
        Properties ports = new Properties();
        ports.put("controller.port", Integer.toString(controllerPort));
        BrokerLayout.write(ports, portsFile, "ports of this Drover broker's storage");
        Path serverProps = dataDir.resolve(BrokerLayout.SERVER_PROPERTIES);
        BrokerLayout.write(BrokerLayout.serverProperties(dataDir, HOST, port, controllerPort), serverProps,
                "written by Drover at every start");
        Path logback = dataDir.resolve("logback-broker.xml");
        Files.writeString(logback, BrokerLayout.logbackConfig(dataDir.resolve(BrokerLayout.LOG_FILE)));

        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            // Its own session: a Ctrl-C meant for the parent must not reach the broker, whose
            // owner stops it last, after everything that still writes to it.
            command.add(SETSID.toString());
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xms128m");
        command.add("-Xmx512m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Dlogback.configurationFile=" + logback.toAbsolutePath());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BrokerProcess.class.getName());
        command.add(dataDir.toAbsolutePath().toString());
        command.add(serverProps.toAbsolutePath().toString());
        command.add("--exit-on-stdin-close");
        Path out = dataDir.resolve(BrokerLayout.STDOUT_FILE);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        // No shutdown hook here: the owner orders the shutdown (the broker goes last), and a
        // parent that dies without closing it closes the broker's stdin, which stops it.
        EmbeddedKafka kafka = new EmbeddedKafka(dataDir, port, process);
        try {
            kafka.awaitReady();
        } catch (IOException e) {
            kafka.close();
            throw e;
        }
        LOG.info("Kafka broker ready at {} (data in {})", kafka.bootstrap(), dataDir);
        return kafka;
    }

    /** The address clients connect to, host:port. */
    public String bootstrap() {
        return HOST + ":" + port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path logFile() {
        return dataDir.resolve(BrokerLayout.LOG_FILE);
    }

    /** True while the broker's process runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Blocks until the broker's process ends; returns its exit code. */
    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the Kafka broker exited with code " + process.exitValue() + " while starting:\n" + tail());
            }
            if (portOpen()) {
                try (Admin admin = Admin.create(p)) {
                    if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()
                            && admin.describeCluster().controller().get(3, TimeUnit.SECONDS) != null) {
                        return;
                    }
                } catch (Exception notYet) {
                    LOG.debug("broker not ready yet: {}", notYet.toString());
                }
            }
            try {
                process.waitFor(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the broker", e);
            }
        }
        throw new IOException("the Kafka broker did not answer within " + READY_TIMEOUT.toSeconds() + " s:\n" + tail());
    }

    private boolean portOpen() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private String tail() {
        StringBuilder sb = new StringBuilder();
        for (Path f : List.of(dataDir.resolve(BrokerLayout.STDOUT_FILE), logFile())) {
            try {
                List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                sb.append("--- ").append(f).append('\n');
                lines.subList(Math.max(0, lines.size() - 20), lines.size()).forEach(l -> sb.append(l).append('\n'));
            } catch (IOException | java.io.UncheckedIOException ignored) {
                // a file that is not there has nothing to show
            }
        }
        return sb.toString();
    }

    /** Stops the broker: SIGTERM, up to {@link #STOP_TIMEOUT} for a clean shutdown, then SIGKILL. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Kafka broker did not stop within {} s; killing it", STOP_TIMEOUT.toSeconds());
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static int requireFree(int port, String what) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(HOST, port));
            return port;
        } catch (IOException e) {
            throw new IOException(what + " port " + port + " is already in use (is another broker running?)", e);
        }
    }
}
