package io.drover.agent;

import io.drover.api.codec.ProtocolTrust;
import io.drover.api.protocol.TaskStatus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's durable journal of status updates, on Chronicle Queue: every update is appended
 * before it is sent, and every acknowledgement that releases one is appended too (a queue cannot
 * delete entries one by one). An agent that starts replays it and gets back, in their original
 * order, the updates that were never acknowledged.
 *
 * <p>Layout under the journal directory ({@code <workdir>/journal/}):
 *
 * <pre>
 * CURRENT          the name of the live generation, written atomically (tmp + rename)
 * gen-00000007/    the live generation: one Chronicle Queue, roll cycle FAST_DAILY
 * </pre>
 *
 * <p><b>Bounded by compaction.</b> A generation is only ever appended to by the agent that
 * created it. At every start, and while running once a generation holds more than
 * {@code compactAfterEntries} entries or is older than {@link #MAX_GENERATION_AGE_MS}, the live
 * updates (at most the status queue's bound) are rewritten into a fresh generation, CURRENT is
 * switched to it, and the old generation is deleted with all its cycle files. So the journal holds
 * at most {@code compactAfterEntries} entries plus the live ones, and never more than two
 * generations (during a compaction).
 *
 * <p><b>A writer killed mid-append.</b> Chronicle leaves such an entry with an incomplete header
 * and the queue's write lock held. Neither matters here: a new agent never appends to the
 * generation a dead agent wrote; it reads it (a tailer stops at the incomplete entry, which is
 * always the last one, since its writer died there) and writes a fresh one. A crash during a
 * compaction leaves either CURRENT on the old generation (the half-written new one is deleted at
 * the next start) or on the new, complete one (the old one is deleted). Each entry carries a
 * CRC-32; an entry that fails it, or cannot be decoded, is logged and skipped. When Chronicle
 * cannot read a generation on (a half-created cycle file, a damaged directory; it waits at most
 * {@value #QUEUE_TIMEOUT_MS} ms), that is logged, the updates read up to there are kept, and the
 * rest is lost: reconciliation (the framework asks, the agent answers from what it runs) fills
 * the gap.
 *
 * <p><b>Durability.</b> Appends go to memory-mapped files without fsync: they survive the agent
 * process being killed (the kernel owns the pages), not the loss of the host or its power.
 *
 * <p>Not thread-safe: one writer, the agent's loop thread (the work directory lock keeps a second
 * agent out). The thread that opens it may hand it to another, which then owns it.
 */
public final class StatusJournal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusJournal.class);
    static final String CURRENT_FILE = "CURRENT";
    private static final String GEN_PREFIX = "gen-";
    private static final Pattern GEN_NAME = Pattern.compile("gen-\\d{8}");
    /** A generation older than this is compacted even when it holds few entries, so day files never pile up. */
    static final long MAX_GENERATION_AGE_MS = 24L * 60 * 60 * 1000;
    /** How long Chronicle may wait on a lock or a half-created file before it gives up. */
    static final long QUEUE_TIMEOUT_MS = 2_000;

    private static final byte UPDATE = 1;
    private static final byte ACK = 2;

    /** An update waiting for its acknowledgement, keyed for removal by an acknowledgement. */
    private record Key(String frameworkId, String taskId, String updateId) {}

    /** What a replay found. */
    record Replay(List<TaskStatus> unacknowledged, int entries, int skipped) {}

    private final Path dir;
    private final long compactAfterEntries;
    private final Replay replay;
    private int generation;
    private SingleChronicleQueue queue;
    private ExcerptAppender appender;
    private long entries;
    private long generationStartedAtMs;

    private StatusJournal(Path dir, long compactAfterEntries, Replay replay) {
        this.dir = dir;
        this.compactAfterEntries = compactAfterEntries;
        this.replay = replay;
    }

    /**
     * Opens the journal in {@code dir} (created if missing), replays the live generation, and
     * compacts what is unacknowledged into a fresh one.
     *
     * @param compactAfterEntries entries a generation may hold before it is compacted while running
     * @param nowMs the time, for the age of the new generation
     * @throws UncheckedIOException when the directory cannot be created or written
     */
    public static StatusJournal open(Path dir, long compactAfterEntries, long nowMs) {
        if (compactAfterEntries < 1) {
            throw new IllegalArgumentException("compactAfterEntries must be positive: " + compactAfterEntries);
        }
        ProtocolTrust.ensure();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the status journal " + dir + ": " + e.getMessage(), e);
        }
        Optional<String> current = readCurrent(dir);
        Replay replay = current.map(name -> replayGeneration(dir, name)).orElse(new Replay(List.of(), 0, 0));
        StatusJournal journal = new StatusJournal(dir, compactAfterEntries, replay);
        journal.generation = current.map(name -> Integer.parseInt(name.substring(GEN_PREFIX.length()))).orElse(0);
        journal.switchTo(replay.unacknowledged(), nowMs);
        // Opened on the caller's thread, written on the agent loop's: the next thread to append owns it.
        journal.appender.singleThreadedCheckReset();
        if (current.isPresent()) {
            LOG.info("status journal {}: replayed {} entries ({} skipped as damaged), {} updates unacknowledged",
                    dir, replay.entries(), replay.skipped(), replay.unacknowledged().size());
        }
        return journal;
    }

    /** What the replay at open found: the unacknowledged updates in the order they were journaled. */
    Replay replay() {
        return replay;
    }

    /** Appends an update that is about to be sent (it carries an update id). */
    public void appendUpdate(TaskStatus update) {
        ByteBuffer body = encode(update);
        byte[] bytes = new byte[body.remaining()];
        body.get(bytes);
        append(UPDATE, bytes);
    }

    /** Appends the acknowledgement that released the update {@code updateId} of a task. */
    public void appendAck(String frameworkId, String taskId, String updateId) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(96);
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            writeString(out, frameworkId);
            writeString(out, taskId);
            writeString(out, updateId);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        append(ACK, buffer.toByteArray());
    }

    /** Entries in the live generation. */
    long entries() {
        return entries;
    }

    /** The live generation's number; it grows by one at each compaction. */
    int generation() {
        return generation;
    }

    /** Whether {@link #compact} is due: the generation is over its entry bound or its age. */
    boolean compactionDue(long nowMs) {
        return entries > compactAfterEntries || (entries > 0 && nowMs - generationStartedAtMs >= MAX_GENERATION_AGE_MS);
    }

    /**
     * Rewrites the journal as just {@code live}, the updates still unacknowledged (each task's in
     * order), into a fresh generation, and deletes the old one.
     */
    void compact(Collection<TaskStatus> live, long nowMs) {
        switchTo(live, nowMs);
    }

    @Override
    public void close() {
        if (queue != null) {
            queue.close();
            queue = null;
        }
    }

    private void switchTo(Collection<TaskStatus> live, long nowMs) {
        SingleChronicleQueue old = queue;
        int next = generation + 1;
        Path nextDir = dir.resolve(genName(next));
        deleteTree(nextDir);
        SingleChronicleQueue fresh = build(nextDir);
        ExcerptAppender freshAppender = fresh.createAppender();
        queue = fresh;
        appender = freshAppender;
        entries = 0;
        try {
            for (TaskStatus update : live) {
                appendUpdate(update);
            }
            writeCurrent(dir, genName(next));
        } catch (RuntimeException e) {
            fresh.close();
            queue = old;
            appender = old == null ? null : old.createAppender();
            deleteTree(nextDir);
            throw e;
        }
        generation = next;
        generationStartedAtMs = nowMs;
        if (old != null) {
            old.close();
        }
        // Every other generation is one the new CURRENT no longer names: the old one, or a
        // half-written one from a compaction that crashed.
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.toList()) {
                String name = child.getFileName().toString();
                if (Files.isDirectory(child) && !name.equals(genName(next)) && GEN_NAME.matcher(name).matches()) {
                    try {
                        deleteTree(child);
                    } catch (UncheckedIOException e) {
                        LOG.warn("status journal {}: cannot remove {} (the next compaction tries again): {}", dir, name, e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            LOG.warn("status journal {}: cannot list it to remove old generations: {}", dir, e.toString());
        }
        LOG.debug("status journal {}: now {} with {} live updates", dir, genName(next), live.size());
    }

    private void append(byte kind, byte[] body) {
        CRC32 crc = new CRC32();
        crc.update(kind);
        crc.update(body);
        // Framed here, big-endian, so that the format does not hang on Chronicle's byte order.
        byte[] entry = ByteBuffer.allocate(1 + 4 + body.length + 4)
                .put(kind).putInt(body.length).put(body).putInt((int) crc.getValue())
                .array();
        try (DocumentContext dc = appender.writingDocument()) {
            dc.wire().bytes().write(entry);
        }
        entries++;
    }

    private static Replay replayGeneration(Path dir, String name) {
        Path genDir = dir.resolve(name);
        Map<Key, TaskStatus> live = new LinkedHashMap<>();
        int read = 0;
        int skipped = 0;
        if (!Files.isDirectory(genDir)) {
            LOG.error("status journal {}: CURRENT names {}, which does not exist; starting empty", dir, name);
            return new Replay(List.of(), 0, 0);
        }
        try (SingleChronicleQueue q = build(genDir); ExcerptTailer tailer = q.createTailer()) {
            while (true) {
                byte[] entry;
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    Bytes<?> bytes = dc.wire().bytes();
                    entry = new byte[(int) bytes.readRemaining()];
                    bytes.read(entry);
                }
                read++;
                if (!apply(entry, live)) {
                    skipped++;
                }
            }
        } catch (RuntimeException e) {
            // The compaction that follows replaces the generation with what could be read.
            LOG.error("status journal {}: cannot read generation {} past entry {} ({}); going on with the {} "
                    + "unacknowledged updates read before the damage", dir, name, read, e.toString(), live.size());
        }
        if (skipped > 0) {
            LOG.warn("status journal {}: skipped {} damaged entries of {} in {}", dir, skipped, read, name);
        }
        return new Replay(List.copyOf(live.values()), read, skipped);
    }

    /** Applies one entry to the live set; false when it is damaged (and so ignored). */
    private static boolean apply(byte[] entry, Map<Key, TaskStatus> live) {
        if (entry.length < 1 + 4 + 4) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(entry);
        byte kind = b.get();
        int length = b.getInt();
        if (length < 0 || length != entry.length - 9) {
            return false;
        }
        CRC32 crc = new CRC32();
        crc.update(kind);
        crc.update(entry, 5, length);
        if ((int) crc.getValue() != ByteBuffer.wrap(entry, 5 + length, 4).getInt()) {
            return false;
        }
        try {
            if (kind == UPDATE) {
                TaskStatus update = TaskStatus.fromByteBuffer(ByteBuffer.wrap(entry, 5, length).slice());
                if (update.getUpdateId() == null) {
                    return false;
                }
                live.put(new Key(update.getFrameworkId(), update.getTaskId(), update.getUpdateId()), update);
                return true;
            }
            if (kind == ACK) {
                DataInputStream in = new DataInputStream(new ByteArrayInputStream(entry, 5, length));
                live.remove(new Key(readString(in), readString(in), readString(in)));
                return true;
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static ByteBuffer encode(TaskStatus update) {
        try {
            return update.toByteBuffer();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a status update for the journal: " + e.getMessage(), e);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("bad string length " + n);
        }
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }

    private static SingleChronicleQueue build(Path genDir) {
        return SingleChronicleQueueBuilder.single(genDir.toFile())
                .rollCycle(RollCycles.FAST_DAILY)
                .timeoutMS(QUEUE_TIMEOUT_MS)
                .build();
    }

    private static String genName(int generation) {
        return String.format("%s%08d", GEN_PREFIX, generation);
    }

    private static Optional<String> readCurrent(Path dir) {
        Path file = dir.resolve(CURRENT_FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            String name = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (!GEN_NAME.matcher(name).matches()) {
                LOG.error("status journal {}: {} holds '{}', not a generation name; starting empty", dir, file, name);
                return Optional.empty();
            }
            return Optional.of(name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void writeCurrent(Path dir, String name) {
        Path file = dir.resolve(CURRENT_FILE);
        Path tmp = dir.resolve(CURRENT_FILE + ".tmp");
        try {
            Files.writeString(tmp, name + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            List<Path> paths = new ArrayList<>(walk.toList());
            paths.sort(Comparator.reverseOrder());
            for (Path p : paths) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root + ": " + e.getMessage(), e);
        }
    }
}
