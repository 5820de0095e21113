package io.drover.agent;

import io.drover.api.Ids;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent's work directory, held under an exclusive lock for as long as this object is open, so
 * that an old and a new agent never use one directory at once. Layout:
 *
 * <pre>
 * agent.lock          locked while an agent runs; holds its pid, for the error message of a second one
 * agent.id            the agent id, kept across restarts
 * commands.position   "partition offset" of the next command to read, written atomically
 * sandboxes/fw/task/  one directory per task run
 * journal/            the status update journal (Chronicle Queue; see StatusJournal)
 * </pre>
 */
final class WorkDir implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkDir.class);
    static final String LOCK_FILE = "agent.lock";
    static final String ID_FILE = "agent.id";
    static final String POSITION_FILE = "commands.position";
    static final String SANDBOXES_DIR = "sandboxes";
    static final String SHUFFLE_DIR = "shuffle";
    /** Longest host name prefix of a generated agent id, leaving room for the random suffix. */
    private static final int MAX_HOST_PREFIX = 100;

    /** Where the agent reads drover.agent-commands from next. */
    record CommandPosition(int partition, long offset) {
        CommandPosition {
            if (partition < 0 || offset < 0) {
                throw new IllegalArgumentException("partition and offset must be >= 0, were " + partition + " and " + offset);
            }
        }
    }

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final String agentId;
    private boolean closed;

    private WorkDir(Path dir, FileChannel lockChannel, FileLock lock, String agentId) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.agentId = agentId;
    }

    /**
     * Creates the directory if needed, locks it, and loads its agent id: the override when given
     * (stored for later runs), else the stored one, else a new {@code <host>-<8 hex>} id.
     *
     * @throws IllegalStateException when another agent (in this process or another) holds the lock,
     *     or the stored id is not valid
     * @throws UncheckedIOException when the directory or its files cannot be created or read
     */
    static WorkDir open(Path dir, Optional<String> agentIdOverride, String hostname, Random random) {
        try {
            Files.createDirectories(dir);
            Files.createDirectories(dir.resolve(SANDBOXES_DIR));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create work dir " + dir + ": " + e.getMessage(), e);
        }
        Path lockFile = dir.resolve(LOCK_FILE);
        FileChannel channel;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open lock file " + lockFile + ": " + e.getMessage(), e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock " + lockFile + ": " + e.getMessage(), e);
        }
        if (lock == null) {
            String holder = readHolder(lockFile);
            closeQuietly(channel);
            throw new IllegalStateException("work dir " + dir + " is in use by another agent" + holder
                    + " (cannot lock " + lockFile + "); stop it or give this agent another work dir");
        }
        try {
            writeHolder(channel);
            String id = loadAgentId(dir, agentIdOverride, hostname, random);
            return new WorkDir(dir, channel, lock, id);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    Path dir() {
        return dir;
    }

    String agentId() {
        return agentId;
    }

    Path sandboxesRoot() {
        return dir.resolve(SANDBOXES_DIR);
    }

    /** The status update journal ({@code journal/}). */
    Path journalDir() {
        return dir.resolve("journal");
    }

    /**
     * Files executors keep beyond their own life, per framework ({@code shuffle/<framework>}):
     * the job framework's map outputs, served by the HTTP server.
     */
    Path shuffleRoot() {
        return dir.resolve(SHUFFLE_DIR);
    }

    /** Where fetched files with a sha256 are cached ({@code cache/}). */
    Path fetchCacheDir() {
        return dir.resolve("cache");
    }

    /** The stored command position, if any; a corrupt file is logged and ignored. */
    Optional<CommandPosition> readPosition() {
        Path file = dir.resolve(POSITION_FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            String[] parts = Files.readString(file, StandardCharsets.UTF_8).trim().split("\\s+");
            if (parts.length != 2) {
                throw new IllegalArgumentException("expected 'partition offset'");
            }
            return Optional.of(new CommandPosition(Integer.parseInt(parts[0]), Long.parseLong(parts[1])));
        } catch (IOException | RuntimeException e) {
            LOG.warn("ignoring unreadable command position {}: {}", file, e.toString());
            return Optional.empty();
        }
    }

    /** Stores the position: written to a temporary file, synced, then moved over the old one atomically. */
    void writePosition(CommandPosition position) {
        Path file = dir.resolve(POSITION_FILE);
        Path tmp = dir.resolve(POSITION_FILE + ".tmp");
        byte[] bytes = (position.partition() + " " + position.offset() + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                out.write(ByteBuffer.wrap(bytes));
                out.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write command position " + file + ": " + e.getMessage(), e);
        }
    }

    /** Releases the lock; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            lock.release();
        } catch (IOException e) {
            LOG.warn("cannot release the lock of {}: {}", dir, e.toString());
        }
        closeQuietly(lockChannel);
    }

    /** A new id: the sanitized host name, a dash, and 8 random hex digits. */
    static String generateAgentId(String hostname, Random random) {
        String host = hostname.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
        if (host.length() > MAX_HOST_PREFIX) {
            host = host.substring(0, MAX_HOST_PREFIX);
        }
        if (host.isEmpty()) {
            host = "agent";
        }
        byte[] suffix = new byte[4];
        random.nextBytes(suffix);
        return Ids.requireValid("agent id", host + "-" + HexFormat.of().formatHex(suffix));
    }

    private static String loadAgentId(Path dir, Optional<String> override, String hostname, Random random) {
        Path file = dir.resolve(ID_FILE);
        Optional<String> stored = Optional.empty();
        if (Files.exists(file)) {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read agent id from " + file + ": " + e.getMessage(), e);
            }
            try {
                stored = Optional.of(Ids.requireValid("agent id", text));
            } catch (IllegalArgumentException e) {
                if (override.isEmpty()) {
                    throw new IllegalStateException("the agent id stored in " + file + " is not valid (" + e.getMessage()
                            + "); fix or delete the file, or give an agent id", e);
                }
            }
        }
        if (override.isPresent()) {
            String id = override.get();
            if (stored.isPresent() && !stored.get().equals(id)) {
                LOG.warn("work dir {} belonged to agent {}; it now belongs to agent {}", dir, stored.get(), id);
            }
            if (!stored.equals(override)) {
                writeAtomically(file, id);
            }
            return id;
        }
        if (stored.isPresent()) {
            return stored.get();
        }
        String id = generateAgentId(hostname, random);
        writeAtomically(file, id);
        LOG.info("new agent id {} stored in {}", id, file);
        return id;
    }

    private static void writeAtomically(Path file, String text) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, text + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void writeHolder(FileChannel channel) {
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        } catch (IOException e) {
            LOG.debug("cannot write pid into the lock file: {}", e.toString());
        }
    }

    private static String readHolder(Path lockFile) {
        try {
            String pid = Files.readString(lockFile, StandardCharsets.UTF_8).trim();
            return pid.matches("\\d{1,10}") ? " (pid " + pid + ")" : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing {}: {}", channel, e.toString());
        }
    }
}
