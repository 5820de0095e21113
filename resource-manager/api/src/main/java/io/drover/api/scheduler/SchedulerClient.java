package io.drover.api.scheduler;

import io.drover.api.Envelopes;
import io.drover.api.Topics;
import io.drover.api.codec.Codecs;
import io.drover.api.codec.DecodeException;
import io.drover.api.kafka.DeadLetters;
import io.drover.api.kafka.KafkaClients;
import io.drover.api.kafka.TopicSetup;
import io.drover.api.protocol.Accept;
import io.drover.api.protocol.Acknowledge;
import io.drover.api.protocol.CallError;
import io.drover.api.protocol.CallMessage;
import io.drover.api.protocol.CommandInfo;
import io.drover.api.protocol.ExecutorInfo;
import io.drover.api.protocol.Decline;
import io.drover.api.protocol.Failure;
import io.drover.api.protocol.FrameworkEvent;
import io.drover.api.protocol.Heartbeat;
import io.drover.api.protocol.KeepAlive;
import io.drover.api.protocol.Kill;
import io.drover.api.protocol.Offer;
import io.drover.api.protocol.Offers;
import io.drover.api.protocol.Reconcile;
import io.drover.api.protocol.Rescind;
import io.drover.api.protocol.Resources;
import io.drover.api.protocol.Revive;
import io.drover.api.protocol.Subscribe;
import io.drover.api.protocol.Subscribed;
import io.drover.api.protocol.Suppress;
import io.drover.api.protocol.TaskInfo;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.Teardown;
import io.drover.api.protocol.Update;
import io.drover.api.protocol.UriInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler side of the offer protocol for JVM frameworks: sends calls on drover.calls and
 * reads events from the framework's own drover.offers.&lt;id&gt; topic. Status updates are
 * delivered at least once on the wire; this client drops repeats by update id, so the framework
 * sees each update once. {@link #poll} also keeps the subscription alive (a KEEP_ALIVE call when
 * nothing else was sent for a heartbeat interval): a framework that stops polling for three
 * intervals is disconnected by the master. Not thread-safe: one thread polls and calls.
 */
public final class SchedulerClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulerClient.class);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(15);
    /** How often to look for the offers topic the master creates at a first subscribe. */
    private static final Duration TOPIC_POLL_INTERVAL = Duration.ofMillis(50);

    private final SchedulerConfig config;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopicPartition eventsPartition;
    private final Map<String, Boolean> seenUpdates = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > SchedulerConfig.DEDUPE_WINDOW;
        }
    };
    /** Events read while waiting for SUBSCRIBED, handed out by the next poll. */
    private final List<SchedulerEvent> pending = new ArrayList<>();
    private final DeadLetters deadLetters;
    private final java.util.concurrent.atomic.AtomicLong acknowledgementsLost = new java.util.concurrent.atomic.AtomicLong();
    private String subscriptionId;
    private boolean subscribeSent;
    private long lastCallMs;
    private long keepAliveIntervalMs = 5_000;
    private boolean subscribed;
    private long lastEventMs;

    public SchedulerClient(SchedulerConfig config) {
        this.config = config;
        String clientId = "framework-" + config.frameworkId();
        this.producer = KafkaClients.producer(KafkaClients.producerProps(config.bootstrap(), clientId));
        this.consumer = KafkaClients.consumer(KafkaClients.consumerProps(config.bootstrap(), clientId));
        this.eventsPartition = new TopicPartition(Topics.offers(config.frameworkId()), 0);
        this.deadLetters = new DeadLetters(clientId, config.clock());
    }

    /** True once a SUBSCRIBE went out, so that the master may know this framework. */
    public boolean subscribeSent() {
        return subscribeSent;
    }

    public String frameworkId() {
        return config.frameworkId();
    }

    /**
     * Subscribes (or re-subscribes) and waits for the master's SUBSCRIBED. Events written before
     * this subscription are skipped.
     *
     * @throws SchedulerException when no master answers within {@code timeout}
     */
    public SchedulerEvent.Subscribed subscribe(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        subscriptionId = UUID.randomUUID().toString();
        subscribed = false;
        boolean topicExists;
        try (TopicSetup topics = new TopicSetup(config.bootstrap(), timeout)) {
            topicExists = topics.exists(eventsPartition.topic());
            if (topicExists) {
                consumer.assign(List.of(eventsPartition));
                consumer.seekToEnd(List.of(eventsPartition));
                consumer.position(eventsPartition);
            }
            subscribeSent = true;
            send(Subscribe.newBuilder()
                    .setFrameworkName(config.frameworkName())
                    .setUser(System.getProperty("user.name", ""))
                    .setRole(config.role())
                    .setSubscriptionId(subscriptionId)
                    .setFailoverTimeoutMs(config.failoverTimeoutMs())
                    .build());
            while (!topicExists) {
                if (System.nanoTime() > deadline) {
                    throw noMaster(timeout);
                }
                topicExists = topics.exists(eventsPartition.topic());
                if (!topicExists) {
                    pause(TOPIC_POLL_INTERVAL);
                }
            }
        } catch (IllegalStateException e) {
            throw new SchedulerException("cannot reach Kafka at " + config.bootstrap() + ": " + e.getMessage(), e);
        }
        if (consumer.assignment().isEmpty()) {
            consumer.assign(List.of(eventsPartition));
            consumer.seekToBeginning(List.of(eventsPartition));
        }
        while (System.nanoTime() < deadline) {
            List<SchedulerEvent> events = poll(Duration.ofMillis(100));
            for (int i = 0; i < events.size(); i++) {
                if (events.get(i) instanceof SchedulerEvent.Subscribed s) {
                    // Offers often come in the same poll, right behind SUBSCRIBED.
                    pending.addAll(events.subList(i + 1, events.size()));
                    return s;
                }
            }
        }
        throw noMaster(timeout);
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchedulerException("interrupted while waiting for the master", e);
        }
    }

    private SchedulerException noMaster(Duration timeout) {
        return new SchedulerException("no Drover master answered within " + timeout.toSeconds() + " s on Kafka at "
                + config.bootstrap() + " (is `drover local` running, or is --bootstrap right?)", null);
    }

    /**
     * Waits up to {@code timeout} for events and returns those that came (possibly none).
     * Events of earlier subscriptions and repeated status updates are dropped.
     */
    public List<SchedulerEvent> poll(Duration timeout) {
        if (subscribed && config.clock().millis() - lastCallMs >= keepAliveIntervalMs) {
            // The master takes a framework that says nothing for three intervals as gone.
            send(KeepAlive.newBuilder().build());
        }
        List<SchedulerEvent> events = new ArrayList<>(pending);
        pending.clear();
        if (!events.isEmpty()) {
            return events;
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            FrameworkEvent event;
            try {
                event = Codecs.FRAMEWORK_EVENT.decode(r.value());
            } catch (DecodeException e) {
                producer.send(deadLetters.deadLetter(r, e.getMessage()));
                continue;
            }
            lastEventMs = config.clock().millis();
            Object body = event.getBody();
            if (body instanceof Subscribed s) {
                if (s.getSubscriptionId().equals(subscriptionId)) {
                    subscribed = true;
                    keepAliveIntervalMs = Math.max(100, s.getHeartbeatIntervalMs());
                    events.add(new SchedulerEvent.Subscribed(event.getFrameworkId(), s.getHeartbeatIntervalMs()));
                }
                continue;
            }
            if (!subscribed) {
                continue; // belongs to an earlier subscription
            }
            SchedulerEvent converted = convert(body);
            if (converted != null) {
                events.add(converted);
            }
        }
        return events;
    }

    private SchedulerEvent convert(Object body) {
        if (body instanceof Offers o) {
            List<OfferView> views = new ArrayList<>();
            for (Offer offer : o.getOffers()) {
                views.add(new OfferView(offer.getOfferId(), offer.getAgentId(), offer.getHostname(),
                        spec(offer.getResources()), Map.copyOf(offer.getAttributes()), offer.getExpiresAtMs()));
            }
            return new SchedulerEvent.OffersReceived(views);
        } else if (body instanceof Rescind r) {
            return new SchedulerEvent.OfferRescinded(r.getOfferId());
        } else if (body instanceof Update u) {
            TaskStatus s = u.getStatus();
            if (s.getUpdateId() != null && seenUpdates.put(s.getUpdateId(), Boolean.TRUE) != null) {
                // A repeat: the agent resends until an acknowledgement reaches it, and an earlier
                // one may have been lost. Acknowledge again, or it would resend forever.
                send(Acknowledge.newBuilder().setAgentId(s.getAgentId()).setTaskId(s.getTaskId())
                        .setUpdateId(s.getUpdateId()).build());
                return null;
            }
            return new SchedulerEvent.TaskUpdated(new TaskUpdate(s.getTaskId(), s.getAgentId(),
                    TaskPhase.valueOf(s.getState().name()), s.getReason().name(), s.getMessage(), s.getUpdateId(),
                    s.getExitCode(), s.getStdoutTail(), s.getStderrTail(), s.getSandboxPath(), s.getTimestampMs()));
        } else if (body instanceof CallError e) {
            return new SchedulerEvent.CallRefused(e.getCallType(), e.getMessage());
        } else if (body instanceof Failure f) {
            return new SchedulerEvent.AgentLost(f.getAgentId());
        } else if (body instanceof Heartbeat) {
            return new SchedulerEvent.MasterHeartbeat();
        }
        return null;
    }

    /** When the last event of any kind arrived (ms, this client's clock); 0 before any. */
    public long lastEventMs() {
        return lastEventMs;
    }

    /** Launches tasks on the offers (all of one agent); what they do not use returns to the pool. */
    public void accept(List<String> offerIds, List<TaskSpec> tasks, double refuseSeconds) {
        List<TaskInfo> infos = new ArrayList<>();
        for (TaskSpec t : tasks) {
            infos.add(TaskInfo.newBuilder()
                    .setTaskId(t.taskId())
                    .setName(t.name())
                    .setAgentId(t.agentId())
                    .setResources(resources(t.resources()))
                    .setCommand(CommandInfo.newBuilder().setArguments(t.command()).setEnvironment(t.environment())
                            .setUris(uris(t.uris())).build())
                    .setExecutor(executor(t.executor()))
                    .setData(t.data() == null ? null : java.nio.ByteBuffer.wrap(t.data()))
                    .build());
        }
        send(Accept.newBuilder().setOfferIds(offerIds).setTasks(infos).setRefuseSeconds(refuseSeconds).build());
    }

    private static ExecutorInfo executor(TaskSpec.ExecutorSpec e) {
        if (e == null) {
            return null;
        }
        return ExecutorInfo.newBuilder()
                .setExecutorId(e.executorId())
                .setCommand(CommandInfo.newBuilder().setArguments(e.command()).setEnvironment(e.environment())
                        .setUris(uris(e.uris())).build())
                .setResources(resources(e.resources()))
                .build();
    }

    private static List<UriInfo> uris(List<TaskSpec.Uri> uris) {
        List<UriInfo> infos = new ArrayList<>(uris.size());
        for (TaskSpec.Uri u : uris) {
            infos.add(UriInfo.newBuilder().setValue(u.value()).setSha256(u.sha256()).setExecutable(u.executable())
                    .setFileName(u.fileName()).build());
        }
        return infos;
    }

    public void decline(List<String> offerIds, double refuseSeconds) {
        send(Decline.newBuilder().setOfferIds(offerIds).setRefuseSeconds(refuseSeconds).build());
    }

    /**
     * Acknowledges an update that asks for it; does nothing for one that does not. Unlike the
     * other calls it does not wait for Kafka: the producer batches acknowledgements, which is
     * what lets a framework keep up with thousands of updates a second. One that is lost (a
     * send that fails is logged and counted in {@link #acknowledgementsLost()}) costs only a
     * repeat: the agent resends the update until acknowledged, and this client acknowledges
     * repeats without handing them out again.
     */
    public void acknowledge(TaskUpdate update) {
        if (update.needsAcknowledgement()) {
            sendAsync(Acknowledge.newBuilder().setAgentId(update.agentId()).setTaskId(update.taskId())
                    .setUpdateId(update.updateId()).build());
        }
    }

    /** Acknowledgements whose send failed (the agent resends those updates; they are acknowledged again). */
    public long acknowledgementsLost() {
        return acknowledgementsLost.get();
    }

    public void kill(String taskId) {
        send(Kill.newBuilder().setTaskId(taskId).build());
    }

    public void revive() {
        send(Revive.newBuilder().build());
    }

    public void suppress() {
        send(Suppress.newBuilder().build());
    }

    /** Asks for the latest state of the listed tasks, or of all tasks when the list is empty. */
    public void reconcile(List<String> taskIds) {
        send(Reconcile.newBuilder().setTaskIds(taskIds).build());
    }

    /** Ends the framework: the master kills its tasks and forgets it. */
    public void teardown() {
        send(Teardown.newBuilder().build());
    }

    private ProducerRecord<byte[], byte[]> callRecord(Object body) {
        lastCallMs = config.clock().millis();
        CallMessage call = CallMessage.newBuilder()
                .setHeader(Envelopes.header(config.principal(), config.clock()))
                .setFrameworkId(config.frameworkId())
                .setBody(body)
                .build();
        return new ProducerRecord<>(Topics.CALLS, 0, config.frameworkId().getBytes(StandardCharsets.UTF_8), Codecs.CALL_MESSAGE.encode(call));
    }

    /** Sends without waiting: calls on one partition from one producer keep their order. */
    private void sendAsync(Object body) {
        producer.send(callRecord(body), (metadata, error) -> {
            if (error != null) {
                acknowledgementsLost.incrementAndGet();
                LOG.warn("framework {}: an acknowledgement was not sent ({}); the agent will resend the update", config.frameworkId(),
                        error.toString());
            }
        });
    }

    private void send(Object body) {
        try {
            producer.send(callRecord(body)).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchedulerException("interrupted while sending a call", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new SchedulerException("cannot send a call to Kafka at " + config.bootstrap() + ": " + e, e);
        }
    }

    static ResourceSpec spec(Resources r) {
        return new ResourceSpec(r.getCpus(), r.getMemMb(), r.getDiskMb(), r.getGpus());
    }

    static Resources resources(ResourceSpec r) {
        return Resources.newBuilder().setCpus(r.cpus()).setMemMb(r.memMb()).setDiskMb(r.diskMb()).setGpus(r.gpus())
                .setPorts(List.of()).build();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        consumer.close(Duration.ofSeconds(5));
    }
}
