package io.drover.connectors.csv;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.avro.Schema;

/** Schema checks, inference and the conversion of field text to Avro values. */
public final class CsvSchemas {

    private CsvSchemas() {}

    /**
     * Checks that {@code schema} is a record of primitive fields a CSV column can hold: string, int,
     * long, float, double, boolean, or a union of null and one of them.
     *
     * @throws IllegalArgumentException naming the first field that is not
     */
    public static void checkSupported(Schema schema) {
        if (schema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException("a CSV schema must be a record, not " + schema.getType());
        }
        for (Schema.Field f : schema.getFields()) {
            if (valueType(f.schema()) == null) {
                throw new IllegalArgumentException("CSV field '" + f.name() + "' has an unsupported type: " + f.schema());
            }
        }
    }

    /** The primitive type of a field schema (unwrapping a union with null), or null if unsupported. */
    static Schema.Type valueType(Schema s) {
        if (s.getType() == Schema.Type.UNION) {
            List<Schema> types = s.getTypes();
            if (types.size() != 2) {
                return null;
            }
            Schema other;
            if (types.get(0).getType() == Schema.Type.NULL) {
                other = types.get(1);
            } else if (types.get(1).getType() == Schema.Type.NULL) {
                other = types.get(0);
            } else {
                return null;
            }
            return primitive(other.getType());
        }
        return primitive(s.getType());
    }

    private static Schema.Type primitive(Schema.Type t) {
        return switch (t) {
            case STRING, INT, LONG, FLOAT, DOUBLE, BOOLEAN -> t;
            default -> null;
        };
    }

    static boolean nullable(Schema s) {
        return s.getType() == Schema.Type.UNION;
    }

    /**
     * The value of one field's text.
     *
     * @param quoted whether the field was quoted: an empty quoted field is the empty string, an empty
     *     unquoted one is null where the field is nullable
     * @throws IllegalArgumentException with the reason, if the text is not a value of the type
     */
    static Object convert(Schema.Field field, Schema.Type type, boolean nullable, String text, boolean quoted) {
        if (text.isEmpty()) {
            if (type == Schema.Type.STRING) {
                return nullable && !quoted ? null : "";
            }
            if (nullable) {
                return null;
            }
            throw new IllegalArgumentException("empty value for non-nullable " + describe(field, type));
        }
        try {
            return switch (type) {
                case STRING -> text;
                case INT -> Integer.parseInt(text);
                case LONG -> Long.parseLong(text);
                case FLOAT -> {
                    if (!isDecimalText(text)) {
                        throw new NumberFormatException();
                    }
                    yield Float.parseFloat(text);
                }
                case DOUBLE -> {
                    if (!isDecimalText(text)) {
                        throw new NumberFormatException();
                    }
                    yield Double.parseDouble(text);
                }
                case BOOLEAN -> parseBoolean(text);
                default -> throw new IllegalStateException("unsupported " + type);
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a " + type.getName() + " in " + describe(field, type) + ": '"
                    + abbreviate(text) + "'");
        }
    }

    private static String describe(Schema.Field field, Schema.Type type) {
        return "field '" + field.name() + "' (" + type.getName() + ")";
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }

    private static Boolean parseBoolean(String text) {
        if (text.equalsIgnoreCase("true")) {
            return Boolean.TRUE;
        }
        if (text.equalsIgnoreCase("false")) {
            return Boolean.FALSE;
        }
        throw new NumberFormatException();
    }

    /** Digits, signs, '.', 'e', or NaN/Infinity: what Double.parseDouble accepts minus hex, suffixes and spaces. */
    static boolean isDecimalText(String s) {
        if (s.equals("NaN") || s.equals("Infinity") || s.equals("-Infinity") || s.equals("+Infinity")) {
            return true;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLong(String s) {
        try {
            Long.parseLong(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean isDouble(String s) {
        if (!isDecimalText(s)) {
            return false;
        }
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * Infers a record schema from sample rows: a column is long if every non-empty value parses as a
     * long, else double if every one parses as a double, else boolean if every one is true or false
     * (any case), else string; it is nullable if any value is empty or it has no value at all.
     *
     * @param header the header row, or null to name the fields f0, f1, ...
     * @param rows sample rows; those with a different field count from the header (or, without one,
     *     the first row) are ignored
     */
    public static Schema infer(List<String> header, List<List<String>> rows) {
        int columns = header != null ? header.size() : rows.isEmpty() ? 0 : rows.get(0).size();
        List<String> names = fieldNames(header, columns);
        List<Schema.Field> fields = new ArrayList<>(columns);
        for (int c = 0; c < columns; c++) {
            boolean allLong = true;
            boolean allDouble = true;
            boolean allBoolean = true;
            boolean anyEmpty = false;
            boolean anyValue = false;
            for (List<String> row : rows) {
                if (row.size() != columns) {
                    continue;
                }
                String v = row.get(c);
                if (v.isEmpty()) {
                    anyEmpty = true;
                    continue;
                }
                anyValue = true;
                allLong = allLong && isLong(v);
                allDouble = allDouble && (allLong || isDouble(v));
                allBoolean = allBoolean && (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false"));
            }
            Schema.Type type = !anyValue ? Schema.Type.STRING
                    : allLong ? Schema.Type.LONG
                    : allDouble ? Schema.Type.DOUBLE
                    : allBoolean ? Schema.Type.BOOLEAN
                    : Schema.Type.STRING;
            Schema s = Schema.create(type);
            if (anyEmpty || !anyValue) {
                fields.add(new Schema.Field(names.get(c),
                        Schema.createUnion(Schema.create(Schema.Type.NULL), s), null, Schema.Field.NULL_DEFAULT_VALUE));
            } else {
                fields.add(new Schema.Field(names.get(c), s));
            }
        }
        return Schema.createRecord("CsvRow", "inferred from CSV", "io.drover.connectors.csv", false, fields);
    }

    /**
     * Avro field names for a header: each name's characters outside [A-Za-z0-9_] become '_', a name
     * starting with a digit gets a leading '_', an empty one is f&lt;i&gt;, and a repeated one gets
     * _2, _3, ...; without a header, f0, f1, ...
     */
    public static List<String> fieldNames(List<String> header, int columns) {
        List<String> names = new ArrayList<>(columns);
        Set<String> used = new HashSet<>();
        for (int i = 0; i < columns; i++) {
            String base = header == null ? "f" + i : sanitise(header.get(i), i);
            String name = base;
            for (int k = 2; !used.add(name.toLowerCase(Locale.ROOT)); k++) {
                name = base + "_" + k;
            }
            names.add(name);
        }
        return names;
    }

    private static String sanitise(String raw, int index) {
        String s = raw.strip();
        if (s.isEmpty()) {
            return "f" + index;
        }
        StringBuilder b = new StringBuilder(s.length() + 1);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            b.append(ok ? c : '_');
        }
        if (b.charAt(0) >= '0' && b.charAt(0) <= '9') {
            b.insert(0, '_');
        }
        return b.toString();
    }
}
