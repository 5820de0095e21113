package io.drover.job.serde;

import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Avro generic records of one schema, in Avro's binary encoding (no schema per record: the schema
 * travels once, in the plan, as JSON). Equal records encode to equal bytes.
 */
public final class AvroGenericSerde implements Serde<GenericRecord> {

    private static final long serialVersionUID = 1L;

    private final String schemaJson;
    private transient Schema schema;
    private transient GenericDatumWriter<GenericRecord> writer;
    private transient GenericDatumReader<GenericRecord> reader;
    private transient BinaryEncoder encoder;
    private transient BinaryDecoder decoder;

    public AvroGenericSerde(Schema schema) {
        this.schemaJson = schema.toString();
    }

    public Schema schema() {
        if (schema == null) {
            schema = new Schema.Parser().parse(schemaJson);
        }
        return schema;
    }

    @Override
    public void write(GenericRecord value, ByteBuf out) throws IOException {
        if (writer == null) {
            writer = new GenericDatumWriter<>(schema());
        }
        encoder = EncoderFactory.get().directBinaryEncoder(out, encoder);
        writer.write(value, encoder);
    }

    @Override
    public GenericRecord read(byte[] buf, int offset, int length) throws IOException {
        if (reader == null) {
            reader = new GenericDatumReader<>(schema());
        }
        decoder = DecoderFactory.get().binaryDecoder(buf, offset, length, decoder);
        return reader.read(null, decoder);
    }
}
