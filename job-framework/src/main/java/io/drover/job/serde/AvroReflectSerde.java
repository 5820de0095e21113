package io.drover.job.serde;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.reflect.ReflectData;
import org.apache.avro.reflect.ReflectDatumReader;
import org.apache.avro.reflect.ReflectDatumWriter;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Plain Java objects of one class, through Avro reflection (the schema is derived from the class's
 * fields; the class needs a no-argument constructor). Avro 1.12 refuses to use classes it does
 * not trust, so the serde trusts its class's package (where the class's own field types usually
 * live), in every JVM that uses it; choosing the class is the user's statement of trust.
 */
public final class AvroReflectSerde<T> implements Serde<T> {

    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private transient ReflectDatumWriter<T> writer;
    private transient ReflectDatumReader<T> reader;
    private transient BinaryEncoder encoder;
    private transient BinaryDecoder decoder;

    public AvroReflectSerde(Class<T> type) {
        this.type = type;
    }

    public Schema schema() {
        return ReflectData.get().getSchema(type);
    }

    @Override
    public void write(T value, ByteBuf out) throws IOException {
        if (writer == null) {
            trust(type);
            writer = new ReflectDatumWriter<>(schema());
        }
        encoder = EncoderFactory.get().directBinaryEncoder(out, encoder);
        writer.write(value, encoder);
    }

    @Override
    public T read(byte[] buf, int offset, int length) throws IOException {
        if (reader == null) {
            trust(type);
            reader = new ReflectDatumReader<>(schema());
        }
        decoder = DecoderFactory.get().binaryDecoder(buf, offset, length, decoder);
        return reader.read(null, decoder);
    }

    private static final Set<String> TRUSTED_PACKAGES = ConcurrentHashMap.newKeySet();
    private static boolean installed;

    /** Adds the package of {@code type} to one validator installed once per JVM (not one per call). */
    private static synchronized void trust(Class<?> type) {
        TRUSTED_PACKAGES.add(type.getPackageName());
        if (!installed) {
            installed = true;
            ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(
                    ClassSecurityValidator.getGlobal(), c -> TRUSTED_PACKAGES.contains(c.getPackageName())));
        }
    }
}
