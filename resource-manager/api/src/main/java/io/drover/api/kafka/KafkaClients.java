package io.drover.api.kafka;

import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Client settings shared by every Drover component. Values are Avro single-object bytes, keys
 * are UTF-8 ids. Consumers never join a group: they {@code assign()} partitions and keep their
 * own positions, and they read only committed records.
 */
public final class KafkaClients {
    /** Environment variable that names the Kafka cluster when --bootstrap is not given. */
    public static final String BOOTSTRAP_ENV = "DROVER_BOOTSTRAP";
    /** Where {@code drover local} puts its broker, and where every command looks by default. */
    public static final String DEFAULT_BOOTSTRAP = "localhost:19092";

    /** The bootstrap address to use: the flag if given, else the environment, else the default. */
    public static String resolveBootstrap(String flag) {
        if (flag != null && !flag.isBlank()) {
            return flag;
        }
        String env = System.getenv(BOOTSTRAP_ENV);
        return env != null && !env.isBlank() ? env : DEFAULT_BOOTSTRAP;
    }

    /** Settings for an idempotent producer that sends at once (no linger), acks=all. */
    public static Properties producerProps(String bootstrap, String clientId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        return p;
    }

    /** Settings for a consumer that reads committed records of partitions it assigns itself. */
    public static Properties consumerProps(String bootstrap, String clientId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        // A long poll: the broker answers as soon as a committed record arrives, so the wait only
        // bounds how often an idle consumer asks. At 20 ms an idle local cluster spent about a fifth
        // of a core on empty fetches (broker and clients); at 500 ms under a tenth.
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "500");
        return p;
    }

    public static KafkaProducer<byte[], byte[]> producer(Properties props) {
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    public static KafkaConsumer<byte[], byte[]> consumer(Properties props) {
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private KafkaClients() {}
}
