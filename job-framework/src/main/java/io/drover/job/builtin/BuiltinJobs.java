package io.drover.job.builtin;

import io.drover.connectors.csv.CsvSource;
import io.drover.connectors.csv.CsvSourceConfig;
import io.drover.connectors.file.FileSinkConfig;
import io.drover.connectors.text.TextLineSink;
import io.drover.connectors.text.TextLineSource;
import io.drover.connectors.text.TextSourceConfig;
import io.drover.job.api.Dataset;
import io.drover.job.api.JobSpec;
import io.drover.job.api.KeyedDataset;
import io.drover.job.api.Pair;
import io.drover.job.plan.InvalidJobException;
import io.drover.job.serde.AvroGenericSerde;
import io.drover.job.serde.ByteBuf;
import io.drover.job.serde.Serdes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * The built-in jobs, written with the public job API: wordcount, sort (TeraSort-style), grep, and
 * join of keyed text or CSV inputs. Inputs are text files, directories or globs; outputs are directories of part files,
 * committed once per job.
 */
public final class BuiltinJobs {

    /** The key of a sort record: its first 10 bytes, as in TeraSort. */
    public static final int SORT_KEY_BYTES = 10;

    /** The count 1, encoded by {@link Serdes#longs()}. */
    private static final byte[] ONE = encodedOne();

    private BuiltinJobs() {}

    private static byte[] encodedOne() {
        ByteBuf b = new ByteBuf();
        try {
            Serdes.longs().write(1L, b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    private static TextLineSink sink(String output) {
        return new TextLineSink(FileSinkConfig.of(Path.of(output)));
    }

    /**
     * Counts words: a word is a maximal run of bytes other than space and tab. Lines are read as
     * byte slices and words aggregated as bytes (combined on the map side), never decoded; output
     * lines are {@code word<TAB>count}, each partition in byte order of the words.
     */
    public static JobSpec wordCount(String input, String output) {
        KeyedDataset<byte[], Long> ones = Dataset.readPairSlices(() -> new TextLineSource(TextSourceConfig.of(input)),
                (buf, off, len, out) -> {
                    int end = off + len;
                    int i = off;
                    while (i < end) {
                        while (i < end && (buf[i] == ' ' || buf[i] == '\t')) {
                            i++;
                        }
                        int start = i;
                        while (i < end && buf[i] != ' ' && buf[i] != '\t') {
                            i++;
                        }
                        if (i > start) {
                            out.emit(buf, start, i - start, ONE, 0, ONE.length);
                        }
                    }
                }, Serdes.bytes(), Serdes.longs());
        KeyedDataset<byte[], Long> counts = ones.reduceLongsByKey(Long::sum);
        return counts.pairs().map(p -> {
            byte[] count = Long.toString(p.value()).getBytes(StandardCharsets.US_ASCII);
            byte[] line = Arrays.copyOf(p.key(), p.key().length + 1 + count.length);
            line[p.key().length] = '\t';
            System.arraycopy(count, 0, line, p.key().length + 1, count.length);
            return line;
        }).writeLines(() -> sink(output));
    }

    /**
     * Sorts lines by their first {@value #SORT_KEY_BYTES} bytes (unsigned), TeraSort-style:
     * range-partitioned by a sample of the keys, sorted within each partition, so the part files
     * in order are the sorted input. Records are read and written as bytes. Records with equal
     * keys keep no particular order.
     */
    public static JobSpec sort(String input, String output) {
        KeyedDataset<byte[], byte[]> records = Dataset.readPairSlices(
                () -> new TextLineSource(TextSourceConfig.of(input)), (buf, off, len, out) -> {
                    int k = Math.min(len, SORT_KEY_BYTES);
                    out.emit(buf, off, k, buf, off + k, len - k);
                }, Serdes.bytes(), Serdes.bytes());
        return records
                .sortByKey(true)
                .pairs()
                .map(p -> {
                    byte[] line = Arrays.copyOf(p.key(), p.key().length + p.value().length);
                    System.arraycopy(p.value(), 0, line, p.key().length, p.value().length);
                    return line;
                })
                .writeLines(() -> sink(output));
    }

    /**
     * The lines that contain a match of a Java regular expression, in input order (part files in
     * split order). Map-only: no shuffle.
     *
     * @throws java.util.regex.PatternSyntaxException if {@code regex} is not valid, before any task runs
     */
    public static JobSpec grep(String input, String regex, String output) {
        Pattern.compile(regex);
        return Dataset.read(() -> new TextLineSource(TextSourceConfig.of(input)))
                .mapPartitions(lines -> {
                    Pattern p = Pattern.compile(regex);
                    return new java.util.Iterator<String>() {
                        private String next = advance();

                        private String advance() {
                            while (lines.hasNext()) {
                                String l = lines.next();
                                if (p.matcher(l).find()) {
                                    return l;
                                }
                            }
                            return null;
                        }

                        @Override
                        public boolean hasNext() {
                            return next != null;
                        }

                        @Override
                        public String next() {
                            String l = next;
                            next = advance();
                            return l;
                        }
                    };
                })
                .write(() -> sink(output));
    }

    /**
     * Inner join of two keyed text inputs whose lines are {@code key<SEP>value} (split at the
     * first separator; a line without one is a key with an empty value). Output lines are
     * {@code key<SEP>leftValue<SEP>rightValue}, one per matching pair.
     */
    public static JobSpec join(String left, String right, char separator, String output) {
        KeyedDataset<String, String> l = keyed(left, separator);
        KeyedDataset<String, String> r = keyed(right, separator);
        String sep = String.valueOf(separator);
        return l.join(r).pairs()
                .map(p -> p.key() + sep + p.value().key() + sep + p.value().value())
                .write(() -> sink(output));
    }

    private static KeyedDataset<String, String> keyed(String input, char separator) {
        return Dataset.read(() -> new TextLineSource(TextSourceConfig.of(input))).mapToPair(line -> {
            int i = line.indexOf(separator);
            return i < 0 ? new Pair<>(line, "") : new Pair<>(line.substring(0, i), line.substring(i + 1));
        }, Serdes.string(), Serdes.string());
    }

    /**
     * Inner join of two CSV inputs with header rows on the column {@code keyField} of each: the rows
     * travel as Avro generic records (schemas read or inferred once, at planning). Output lines are
     * CSV, without a header: the key, then the left row's other fields, then the right row's, quoted
     * where RFC 4180 requires; a null is an empty field.
     *
     * @throws io.drover.job.plan.InvalidJobException if an input is missing or has no such column
     */
    public static JobSpec joinCsv(String left, String right, String keyField, String output) {
        KeyedDataset<String, GenericRecord> l = csvKeyed(left, keyField);
        KeyedDataset<String, GenericRecord> r = csvKeyed(right, keyField);
        return l.join(r).pairs().map(p -> {
            StringBuilder line = new StringBuilder();
            appendCsv(line, p.key());
            appendFieldsExcept(line, p.value().key(), keyField);
            appendFieldsExcept(line, p.value().value(), keyField);
            return line.toString();
        }).write(() -> sink(output));
    }

    private static KeyedDataset<String, GenericRecord> csvKeyed(String input, String keyField) {
        Schema schema;
        try {
            schema = new CsvSource(CsvSourceConfig.of(input)).schema();
        } catch (IllegalArgumentException | IOException e) {
            throw new InvalidJobException("job join: " + e.getMessage(), e);
        }
        if (schema.getField(keyField) == null) {
            throw new InvalidJobException("job join: " + input + " has no column '" + keyField + "' (columns: "
                    + schema.getFields().stream().map(Schema.Field::name).toList() + ")", null);
        }
        String json = schema.toString();
        return Dataset.read(() -> new CsvSource(CsvSourceConfig.of(input).withSchema(new Schema.Parser().parse(json))))
                .mapToPair(rec -> new Pair<>(String.valueOf(rec.get(keyField)), rec), Serdes.string(),
                        new AvroGenericSerde(schema));
    }

    private static void appendFieldsExcept(StringBuilder line, GenericRecord rec, String keyField) {
        for (Schema.Field f : rec.getSchema().getFields()) {
            if (!f.name().equals(keyField)) {
                line.append(',');
                Object v = rec.get(f.pos());
                if (v != null) {
                    appendCsv(line, v.toString());
                }
            }
        }
    }

    private static void appendCsv(StringBuilder line, String value) {
        if (value.isEmpty() || value.indexOf(',') >= 0 || value.indexOf('"') >= 0 || value.indexOf('\r') >= 0
                || value.indexOf('\n') >= 0) {
            line.append('"').append(value.replace("\"", "\"\"")).append('"');
        } else {
            line.append(value);
        }
    }
}
