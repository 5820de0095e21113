package io.drover.job.serde;

import java.io.IOException;
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
 * fields; the class needs a no-argument constructor). Avro 1.12 refuses to instantiate classes it
 * does not trust, so the serde trusts exactly its own class, in every JVM that uses it.
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

    private static synchronized void trust(Class<?> type) {
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(
                ClassSecurityValidator.getGlobal(), c -> c.equals(type)));
    }
}
