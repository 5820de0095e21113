package io.drover.master;

import io.drover.api.Topics;
import io.drover.api.codec.Codecs;
import io.drover.api.codec.DecodeException;
import io.drover.api.kafka.DeadLetters;
import io.drover.api.kafka.KafkaClients;
import io.drover.api.kafka.TopicSetup;
import io.drover.api.protocol.AgentMessage;
import io.drover.api.protocol.CallMessage;
import io.drover.api.protocol.FrameworkRemoved;
import io.drover.api.protocol.MasterElected;
import io.drover.api.protocol.MasterHeartbeat;
import io.drover.api.protocol.MasterLogRecord;
import io.drover.api.protocol.StatusMessage;
import io.drover.master.handler.Batch;
import io.drover.master.handler.MasterLogic;
import io.drover.master.handler.SoftState;
import io.drover.master.http.ClusterView;
import io.drover.master.http.MasterMetrics;
import io.drover.master.state.MasterState;
import io.drover.master.state.StateEntities;
import io.drover.master.state.StateStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master process's effects: reads its inputs with {@code assign()}, hands each record to
 * {@link MasterLogic}, and commits every batch in one Kafka transaction (the log record with the
 * batch's events and input positions, and every output), then writes the changed state to
 * RocksDB. At start it fences any earlier master with the shared transactional id, replays the
 * log past what RocksDB holds, and writes a MasterElected record with the next epoch.
 *
 * <p>A master that finds itself fenced steps down and stops. Any other failure of a transaction
 * aborts it, reloads the state from RocksDB (which holds only committed records) and re-reads
 * the inputs from the positions stored with it.
 */
public final class Master implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Master.class);
    private static final List<String> INPUTS = List.of(Topics.AGENTS, Topics.STATUS, Topics.CALLS);
    private static final long MAX_RETRY_BACKOFF_MS = 30_000;

    private final MasterConfig config;
    private final Clock clock;
    private final Thread thread;
    private final CountDownLatch active = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean closing;
    private volatile Throwable failure;
    private volatile long epoch = -1;

    private StateStore store;
    private MasterState state;
    private MasterLogic logic;
    private final MasterLog log;
    private KafkaConsumer<byte[], byte[]> inputs;
    private TopicSetup topics;
    private DeadLetters deadLetters;
    private final Set<String> knownOfferTopics = new HashSet<>();
    private SoftState soft = new SoftState();
    private volatile boolean leading;
    private final Random random;
    private final CountDownLatch closeSignal = new CountDownLatch(1);
    private long nextMasterHeartbeatMs;
    private int consecutiveFailures;
    private final List<ProducerRecord<byte[], byte[]>> pendingDeadLetters = new ArrayList<>();
    private final MasterMetrics metrics = new MasterMetrics();
    private final MasterHttp http;
    /** Operator requests from HTTP threads, handled by the loop at its next turn. */
    private final java.util.concurrent.BlockingQueue<DrainRequest> drainRequests = new java.util.concurrent.ArrayBlockingQueue<>(1_000);

    /** Drain an agent ({@code drain} true) or end its drain. */
    record DrainRequest(String agentId, boolean drain) {}
    private long lastLogOffset = -1;
    private long recordsSinceSnapshot;
    private volatile long recoveredFromOffset = -1;

    public Master(MasterConfig config, Clock clock) {
        this(config, clock, new Random());
    }

    /** A master whose allocator breaks ties with {@code random}. */
    public Master(MasterConfig config, Clock clock, Random random) {
        this.config = config.validate();
        this.clock = clock;
        this.random = random;
        this.log = new MasterLog(this.config, clock);
        this.http = new MasterHttp(this.config, metrics);
        this.thread = new Thread(this::run, "drover-master");
    }

    /** Starts the master's thread; {@link #awaitActive} waits until it leads. */
    public void start() {
        thread.start();
    }

    /**
     * Waits until this master has taken over and serves (a standby waits until the active master
     * falls silent).
     *
     * @return true when active, false when the time ran out
     * @throws IllegalStateException when the master failed or stopped while starting
     */
    public boolean awaitActive(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (active.await(50, TimeUnit.MILLISECONDS)) {
                return true;
            }
            if (stopped.getCount() == 0) {
                throw new IllegalStateException("the master stopped while starting: " + failure, failure);
            }
        }
        return false;
    }

    /** True while this master leads (false while it stands by, or after it stopped). */
    public boolean isActive() {
        return leading;
    }

    /** The epoch this master leads in, or -1 before it leads. */
    public long epoch() {
        return epoch;
    }

    /** Why the master stopped, or null. */
    public Throwable failure() {
        return failure;
    }

    /** Blocks until the master's thread ends. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    private void run() {
        try {
            prepare();
            while (!closing) {
                if (!standBy()) {
                    break;
                }
                try {
                    lead();
                } catch (ProducerFencedException | InvalidProducerEpochException | LostLeadership e) {
                    // Another master took over: follow it as a standby, ready to take over again.
                    LOG.warn("master {} lost the lead ({}); standing by", config.masterId(), e.getMessage());
                    leading = false;
                    log.close();
                }
            }
        } catch (WakeupException e) {
            if (!closing) {
                failure = e;
            }
        } catch (Throwable t) {
            if (!closing) {
                LOG.error("master {} failed", config.masterId(), t);
                failure = t;
            }
        } finally {
            leading = false;
            shutDown();
            stopped.countDown();
        }
    }

    /** Leads until closed; throws when another master takes over. */
    private void lead() throws InterruptedException {
        soft = new SoftState();
        takeLeadership();
        leading = true;
        active.countDown();
        LOG.info("master {} is active in epoch {}", config.masterId(), epoch);
        boolean needsRecovery = false;
        while (!closing) {
            try {
                if (needsRecovery) {
                    recover();
                    needsRecovery = false;
                }
                turn();
                consecutiveFailures = 0;
            } catch (ProducerFencedException | InvalidProducerEpochException | WakeupException | LostLeadership e) {
                throw e;
            } catch (KafkaException | IllegalStateException e) {
                // A failed transaction, a broker that went away, a topic that could not be
                // made: nothing of the batch was committed. Start over from what was.
                needsRecovery = true;
                consecutiveFailures++;
                long backoffMs = Math.min(MAX_RETRY_BACKOFF_MS, 250L << Math.min(consecutiveFailures, 7));
                LOG.warn("master {}: {}; recovering from the committed state in {} ms (failure #{})",
                        config.masterId(), e.toString(), backoffMs, consecutiveFailures);
                if (closeSignal.await(backoffMs, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        }
    }

    /**
     * Follows the master log as a warm standby, applying every record to the local state, until
     * the active master has written nothing for {@code standbyTimeoutMs} (or there is none).
     *
     * @return false when the master was closed meanwhile
     */
    private boolean standBy() {
        state = store.load();
        long from = store.nextLogOffset();
        if (from == 0) {
            Long snapshot = log.latestSnapshotOffset(this::deadLetterLater);
            if (snapshot != null) {
                from = snapshot;
            }
        }
        boolean takeOver = log.follow(state, store, from, this::deadLetterLater, config.standbyTimeoutMs(), clock, () -> closing);
        if (takeOver) {
            LOG.info("master {}: no active master (nothing in the log for {} ms); taking over", config.masterId(),
                    config.standbyTimeoutMs());
        }
        return takeOver && !closing;
    }

    /** A newer master leads; this one stands by. */
    static final class LostLeadership extends RuntimeException {
        LostLeadership(String message) {
            super(message);
        }
    }

    /** The local state cannot follow the log (it is ahead of it): a person must look. */
    static final class StateAheadOfLog extends RuntimeException {
        StateAheadOfLog(String message) {
            super(message);
        }
    }

    /** What a master needs whether it leads or stands by: HTTP, topics, schemas, its state store. */
    private void prepare() {
        http.start(this::requestDrain);
        topics = new TopicSetup(config.bootstrap());
        topics.ensureFixedTopics();
        Properties schemaProps = KafkaClients.producerProps(config.bootstrap(), config.masterId() + "-schemas");
        // One request for all schemas, right after the topic may have been created: several
        // small batches in flight to a partition whose leader is not ready yet come back out of
        // order and are retried for a long time.
        schemaProps.put(org.apache.kafka.clients.producer.ProducerConfig.LINGER_MS_CONFIG, "20");
        schemaProps.put(org.apache.kafka.clients.producer.ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        try (KafkaProducer<byte[], byte[]> plain = KafkaClients.producer(schemaProps)) {
            TopicSetup.publishSchemas(plain);
        }
        store = new StateStore(config.dataDir().resolve("state"));
        checkClusterId();
        deadLetters = new DeadLetters(config.masterId(), clock);
    }

    /**
     * Fences any other master (and aborts this master's own open transaction, if any), applies
     * the log to its end, and writes a MasterElected record with the next epoch.
     */
    private void takeLeadership() {
        log.open();
        reloadAndCatchUp();
        epoch = state.epoch() + 1;
        Batch elected = new Batch(state);
        pendingDeadLetters.forEach(elected::output);
        pendingDeadLetters.clear();
        elected.record(MasterElected.newBuilder().setEpoch(epoch).setMasterId(config.masterId()).setHttpAddress(http.address()).build());
        commit(elected, currentPositionsOrStored());
    }

    /**
     * After a failure: if another master has been elected meanwhile, step down rather than fence
     * it; otherwise take over again (a new epoch), from the committed state.
     */
    private void recover() {
        reloadAndCatchUp();
        if (state.epoch() != epoch) {
            throw new LostLeadership("master " + state.activeMasterId() + " was elected in epoch " + state.epoch());
        }
        takeLeadership();
        LOG.info("master {} recovered; active in epoch {}", config.masterId(), epoch);
    }

    /**
     * Asks the loop to drain an agent or end its drain, at its next turn. The request lives in
     * memory until then: if this master fails first, ask the next one again.
     *
     * @return false when too many requests wait already
     */
    public boolean requestDrain(String agentId, boolean drain) {
        // No wake-up: the loop polls its inputs for at most pollTimeoutMs (20 ms) at a time.
        return drainRequests.offer(new DrainRequest(agentId, drain));
    }

    /** Where this master serves HTTP, host:port; empty when it does not. */
    public String httpAddress() {
        return http.address();
    }

    /** The latest view of the state the HTTP API serves; null before the master leads. */
    public ClusterView view() {
        return http.view();
    }

    private void maybePublishView() {
        http.maybePublish(state, soft, isActiveNow(), clock.millis(), lastLogOffset, this::inputLag);
    }

    /** Input records not yet taken in, by topic, from the consumer's own bookkeeping (no request). */
    private Map<String, Long> inputLag() {
        Map<String, Long> lag = new TreeMap<>();
        for (TopicPartition tp : inputs.assignment()) {
            inputs.currentLag(tp).ifPresent(n -> lag.merge(tp.topic(), n, Long::sum));
        }
        return lag;
    }

    private boolean isActiveNow() {
        return leading && !closing;
    }

    /** Refuses to run on RocksDB state written for another Kafka cluster. */
    private void checkClusterId() {
        String clusterId;
        try {
            clusterId = topics.admin().describeCluster().clusterId().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka at " + config.bootstrap() + ": " + e.getMessage(), e);
        }
        String stored = store.clusterId();
        if (stored == null) {
            store.setClusterId(clusterId);
        } else if (!stored.equals(clusterId)) {
            throw new IllegalStateException("the master's state in " + config.dataDir() + " belongs to Kafka cluster "
                    + stored + ", but " + config.bootstrap() + " is cluster " + clusterId
                    + "; use another --data-dir, or remove that directory to start from this cluster's log");
        }
    }

    /** Loads RocksDB, applies the log records it lacks, and points the inputs at the stored positions. */
    private void reloadAndCatchUp() {
        state = store.load();
        long next = store.nextLogOffset();
        if (next == 0) {
            // No local state (a new or wiped master): start at the latest snapshot, not at the
            // beginning of the log.
            Long snapshot = log.latestSnapshotOffset(this::deadLetterLater);
            if (snapshot != null) {
                LOG.info("master {} has no local state; starting from the snapshot at log offset {}", config.masterId(), snapshot);
                next = snapshot;
            }
        }
        recoveredFromOffset = next;
        MasterLog.CatchUp caughtUp = log.catchUp(state, store, next, this::deadLetterLater);
        recordsSinceSnapshot = caughtUp.sinceSnapshot();
        if (caughtUp.applied() > 0) {
            LOG.info("replayed {} master-log records past the stored state (to offset {})", caughtUp.applied(), caughtUp.end());
        }
        knownOfferTopics.clear();
        if (inputs != null) {
            inputs.close();
        }
        Properties cp = KafkaClients.consumerProps(config.bootstrap(), config.masterId() + "-inputs");
        cp.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(config.maxBatchRecords()));
        inputs = KafkaClients.consumer(cp);
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : INPUTS) {
            for (PartitionInfo p : inputs.partitionsFor(topic)) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
        }
        inputs.assign(partitions);
        int commandPartitions = inputs.partitionsFor(Topics.AGENT_COMMANDS).size();
        logic = new MasterLogic(config, clock, state, soft, commandPartitions, random);
        List<TopicPartition> fromStart = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            Long position = state.inputPositions().get(positionKey(tp));
            if (position == null) {
                fromStart.add(tp);
            } else {
                inputs.seek(tp, position);
            }
        }
        if (!fromStart.isEmpty()) {
            // An empty list would mean every assigned partition to Kafka.
            inputs.seekToBeginning(fromStart);
        }
        LOG.info("master {} resumes its inputs at {} (from the start: {})", config.masterId(), state.inputPositions(), fromStart);
    }

    private void turn() {
        long now = clock.millis();
        long waitMs = Math.max(0, Math.min(config.pollTimeoutMs(), logic.nextTimerMs() - now));
        Batch batch = new Batch(state);
        // max.poll.records bounds the batch: every record a poll returns is handled, since the
        // positions committed with the batch are past all of them.
        for (ConsumerRecord<byte[], byte[]> r : inputs.poll(Duration.ofMillis(waitMs))) {
            handle(r, batch);
        }
        for (DrainRequest request = drainRequests.poll(); request != null; request = drainRequests.poll()) {
            logic.onDrainRequest(request.agentId(), request.drain(), batch);
        }
        long timersStart = System.nanoTime();
        logic.onTimers(batch);
        metrics.allocationCycle(System.nanoTime() - timersStart);
        now = clock.millis();
        boolean heartbeatDue = now >= nextMasterHeartbeatMs;
        if (batch.isEmpty() && !heartbeatDue) {
            maybePublishView();
            return;
        }
        if (heartbeatDue) {
            batch.record(MasterHeartbeat.newBuilder().setEpoch(epoch).setHttpAddress(http.address()).build());
        }
        commit(batch, currentPositionsOrStored());
        if (recordsSinceSnapshot >= config.snapshotIntervalRecords()) {
            writeSnapshot();
        }
        maybePublishView();
    }

    /**
     * Writes the whole state into the log as one snapshot (several records, one transaction) and
     * points drover.master-snapshots at it, so that a master without local state, or an audit,
     * starts there instead of at the log's beginning.
     */
    private void writeSnapshot() {
        long started = System.nanoTime();
        String id = "s-" + epoch + "-" + (lastLogOffset + 1);
        MasterLog.Committed written = log.snapshot(epoch, state, currentPositionsOrStored(), id);
        // The snapshot equals the live state, so applying it would change nothing; only the
        // position in the log moves.
        store.persist(state, written.lastOffset() + 1);
        lastLogOffset = written.lastOffset();
        recordsSinceSnapshot = 0;
        LOG.info("master {} wrote snapshot {} ({} entities, {} records, to offset {}) in {} ms", config.masterId(), id,
                StateEntities.count(state), written.records(), written.lastOffset(), (System.nanoTime() - started) / 1_000_000);
    }

    /** An undecodable record met while reading back: dead-lettered with the next commit, inside its transaction. */
    private void deadLetterLater(ConsumerRecord<byte[], byte[]> r) {
        metrics.deadLetter();
        pendingDeadLetters.add(deadLetters.deadLetter(r, "not a valid record"));
    }

    /** Where the last catch-up started reading the log (for tests and tools); -1 before the first. */
    public long recoveredFromOffset() {
        return recoveredFromOffset;
    }

    private void handle(ConsumerRecord<byte[], byte[]> r, Batch batch) {
        try {
            switch (r.topic()) {
                case Topics.AGENTS -> {
                    AgentMessage m = Codecs.AGENT_MESSAGE.decode(r.value());
                    logic.onAgentMessage(m, batch);
                }
                case Topics.STATUS -> {
                    StatusMessage m = Codecs.STATUS_MESSAGE.decode(r.value());
                    logic.onStatus(m, batch);
                }
                case Topics.CALLS -> {
                    CallMessage m = Codecs.CALL_MESSAGE.decode(r.value());
                    metrics.call(m.getBody() == null ? "unknown" : m.getBody().getClass().getSimpleName());
                    logic.calls().onCall(m, batch);
                }
                default -> LOG.warn("record from unexpected topic {}", r.topic());
            }
        } catch (DecodeException e) {
            metrics.deadLetter();
            batch.output(deadLetters.deadLetter(r, e.getMessage()));
        }
    }

    /** The inputs' positions now; before the inputs are assigned, the stored ones. */
    private Map<String, Long> currentPositionsOrStored() {
        Map<String, Long> positions = new TreeMap<>(state.inputPositions());
        if (inputs != null) {
            for (TopicPartition tp : inputs.assignment()) {
                positions.put(positionKey(tp), inputs.position(tp));
            }
        }
        return positions;
    }

    private void commit(Batch batch, Map<String, Long> positions) {
        ensureOfferTopics(batch);
        long commitStart = System.nanoTime();
        MasterLog.Committed committed = log.commit(state.epoch(), batch.events(), positions, batch.outputs());
        // The positions become state only once committed.
        state.replay(MasterLogRecord.newBuilder(committed.last()).setEvents(List.of()).build());
        store.persist(state, committed.lastOffset() + 1);
        lastLogOffset = committed.lastOffset();
        recordsSinceSnapshot += committed.records();
        metrics.committed(batch.events(), System.nanoTime() - commitStart);
        nextMasterHeartbeatMs = clock.millis() + config.masterHeartbeatIntervalMs();
        deleteOfferTopicsOfRemovedFrameworks(batch);
    }

    private void ensureOfferTopics(Batch batch) {
        List<Topics.Spec> missing = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> out : batch.outputs()) {
            String topic = out.topic();
            if (topic.startsWith(Topics.OFFERS_PREFIX) && !knownOfferTopics.contains(topic)) {
                missing.add(Topics.offersSpec(topic.substring(Topics.OFFERS_PREFIX.length())));
            }
        }
        if (!missing.isEmpty()) {
            topics.ensure(missing);
            missing.forEach(spec -> knownOfferTopics.add(spec.name()));
        }
    }

    /** A removed framework's offers topic goes too, so one-shot frameworks leave nothing behind. */
    private void deleteOfferTopicsOfRemovedFrameworks(Batch batch) {
        List<String> doomed = new ArrayList<>();
        for (Object event : batch.events()) {
            if (event instanceof FrameworkRemoved removed) {
                String topic = Topics.offers(removed.getFrameworkId());
                knownOfferTopics.remove(topic);
                doomed.add(topic);
            }
        }
        if (!doomed.isEmpty()) {
            topics.admin().deleteTopics(doomed).all().whenComplete((ok, error) -> {
                if (error != null) {
                    LOG.warn("could not delete offers topics {}: {}", doomed, error.toString());
                }
            });
        }
    }

    static String positionKey(TopicPartition tp) {
        return tp.topic() + ":" + tp.partition();
    }

    /** A consistent read of the state for tests and tools; call only when the master is stopped. */
    MasterState stateForTest() {
        return state;
    }

    private void shutDown() {
        closeQuietly(http);
        closeQuietly(metrics);
        closeQuietly(inputs);
        closeQuietly(log);
        closeQuietly(topics);
        closeQuietly(store);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("error while closing: {}", e.toString());
        }
    }

    /** Stops the loop, closes the clients and the store. Idempotent. */
    @Override
    public void close() {
        closing = true;
        closeSignal.countDown();
        if (inputs != null) {
            inputs.wakeup();
        }
        if (thread.isAlive() && thread != Thread.currentThread()) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
