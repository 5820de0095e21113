package io.drover.master.state;

import io.drover.api.codec.Codecs;
import io.drover.api.codec.DecodeException;
import io.drover.api.protocol.Header;
import io.drover.api.protocol.MasterLogRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The master's state on local disk, in RocksDB. Each entity is stored as the log events that
 * rebuild it (an agent as its AgentAdded, a task as its TaskAdded and latest TaskStatusChanged),
 * so loading is replay too. Every write also stores the offset of the next master-log record to
 * apply, in the same atomic batch, so the store always equals the log up to that offset.
 */
public final class StateStore implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    private static final byte[] NEXT_OFFSET_KEY = "n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] CLUSTER_ID_KEY = "c".getBytes(StandardCharsets.UTF_8);
    private static final Header STORE_HEADER = Header.newBuilder()
            .setMessageId("state").setPrincipal("master").setMasterEpoch(-1).setTimestampMs(0).build();

    private final Options options;
    private final RocksDB db;
    private final WriteOptions writeOptions;

    /**
     * Opens (or creates) the store in {@code dir}.
     *
     * @throws IllegalStateException when RocksDB cannot open it, e.g. another master holds it
     */
    public StateStore(Path dir) {
        try {
            Files.createDirectories(dir);
            this.options = new Options().setCreateIfMissing(true);
            this.db = RocksDB.open(options, dir.toString());
            // The WAL survives a killed process; a lost host may lose the newest writes, and
            // with them the matching next offset, so the master replays those from the log.
            this.writeOptions = new WriteOptions().setSync(false);
        } catch (RocksDBException | java.io.IOException e) {
            throw new IllegalStateException("cannot open the master's state in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The offset of the next master-log record to apply; 0 for a new store. */
    public long nextLogOffset() {
        try {
            byte[] v = db.get(NEXT_OFFSET_KEY);
            return v == null ? 0 : ByteBuffer.wrap(v).getLong();
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot read the master's state: " + e.getMessage(), e);
        }
    }

    /** The id of the Kafka cluster whose log this state follows; null for a new store. */
    public String clusterId() {
        try {
            byte[] v = db.get(CLUSTER_ID_KEY);
            return v == null ? null : new String(v, StandardCharsets.UTF_8);
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot read the master's state: " + e.getMessage(), e);
        }
    }

    /** Remembers which Kafka cluster this state follows. */
    public void setClusterId(String clusterId) {
        try {
            db.put(writeOptions, CLUSTER_ID_KEY, clusterId.getBytes(StandardCharsets.UTF_8));
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot write the master's state: " + e.getMessage(), e);
        }
    }

    /** Rebuilds a state from everything stored. */
    public MasterState load() {
        MasterState state = new MasterState();
        try (RocksIterator it = db.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                if (java.util.Arrays.equals(it.key(), NEXT_OFFSET_KEY) || java.util.Arrays.equals(it.key(), CLUSTER_ID_KEY)) {
                    continue;
                }
                state.replay(Codecs.MASTER_LOG_RECORD.decode(it.value()));
            }
        } catch (DecodeException e) {
            throw new IllegalStateException("the master's state store holds an undecodable entry: " + e.getMessage(), e);
        }
        state.takeDirty();
        return state;
    }

    /** Writes every entity the state marked dirty, and the next log offset, in one atomic batch. */
    public void persist(MasterState state, long nextLogOffset) {
        try (WriteBatch batch = new WriteBatch()) {
            for (String key : state.takeDirty()) {
                byte[] k = key.getBytes(StandardCharsets.UTF_8);
                List<Object> events = StateEntities.events(state, key);
                if (events == null) {
                    batch.delete(k);
                } else {
                    Map<String, Long> positions = key.equals(Keys.META) ? state.inputPositions() : Map.of();
                    batch.put(k, Codecs.MASTER_LOG_RECORD.encode(MasterLogRecord.newBuilder()
                            .setHeader(STORE_HEADER).setEvents(events).setInputPositions(positions).build()));
                }
            }
            batch.put(NEXT_OFFSET_KEY, ByteBuffer.allocate(8).putLong(nextLogOffset).array());
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot write the master's state: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        writeOptions.close();
        db.close();
        options.close();
    }
}
