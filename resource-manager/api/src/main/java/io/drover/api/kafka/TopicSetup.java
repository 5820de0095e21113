package io.drover.api.kafka;

import io.drover.api.Topics;
import io.drover.api.codec.Codec;
import io.drover.api.codec.Codecs;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates Drover's topics where they are missing and publishes every message schema to the
 * compacted topic drover.schemas, keyed by fingerprint, so that a consumer that has never seen
 * Drover's code can decode any topic. Safe to run from several components at once.
 */
public final class TopicSetup implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);
    private static final long DEFAULT_TIMEOUT_MS = 30_000;

    private final Admin admin;
    private final long timeoutMs;

    public TopicSetup(String bootstrap) {
        this(bootstrap, java.time.Duration.ofMillis(DEFAULT_TIMEOUT_MS));
    }

    /** A setup whose every request gives up after {@code timeout}. */
    public TopicSetup(String bootstrap, java.time.Duration timeout) {
        this.timeoutMs = Math.max(1, timeout.toMillis());
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeoutMs));
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.min(timeoutMs, 10_000)));
        this.admin = Admin.create(p);
    }

    /**
     * Creates the fixed topics that do not exist yet, with replication min(3, brokers).
     *
     * @throws IllegalStateException when the cluster cannot be reached within the timeout
     */
    public void ensureFixedTopics() {
        ensure(Topics.FIXED);
    }

    /** Creates the given topics where they are missing. */
    public void ensure(List<Topics.Spec> specs) {
        try {
            Set<String> existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
            int brokers = admin.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS).size();
            short replication = (short) Math.max(1, Math.min(3, brokers));
            List<NewTopic> missing = new ArrayList<>();
            for (Topics.Spec spec : specs) {
                if (!existing.contains(spec.name())) {
                    missing.add(new NewTopic(spec.name(), spec.partitions(), replication).configs(spec.configs()));
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get(timeoutMs, TimeUnit.MILLISECONDS);
                    LOG.info("created topic {}", entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create Drover's topics: " + rootMessage(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /** True when the topic exists. */
    public boolean exists(String topic) {
        try {
            return admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS).contains(topic);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list topics: " + rootMessage(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing topics", e);
        }
    }

    /**
     * Sends every message schema to drover.schemas: key the fingerprint in 16 hex digits, value
     * the schema's JSON. Compaction keeps one copy of each; resending is harmless.
     */
    public static void publishSchemas(Producer<byte[], byte[]> producer) {
        for (Codec<?> codec : Codecs.ALL) {
            producer.send(new ProducerRecord<>(Topics.SCHEMAS,
                    Codecs.fingerprintKey(codec.fingerprint()).getBytes(StandardCharsets.UTF_8),
                    codec.schema().toString().getBytes(StandardCharsets.UTF_8)));
        }
        producer.flush();
    }

    public Admin admin() {
        return admin;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    @Override
    public void close() {
        admin.close();
    }
}
