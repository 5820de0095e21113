package io.drover.connectors;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One independently readable piece of a source's input. A split describes itself fully, so it can
 * travel to an executor as bytes ({@link #toBytes}, {@link #fromBytes}) and be opened there by a
 * source of the same {@link #sourceType}.
 *
 * @param sourceType which source can open it, e.g. {@code "text-lines"}
 * @param id unique among the splits of one listing, readable in logs
 * @param sizeBytes the bytes this split covers on storage, or -1 when unknown; a scheduling hint
 * @param preferredHosts hosts where reading is cheapest (data locality), most preferred first;
 *     empty when unknown or irrelevant
 * @param description what the source needs to open the split (paths, offsets); its meaning
 *     belongs to the source type
 */
public record Split(
        String sourceType,
        String id,
        long sizeBytes,
        List<String> preferredHosts,
        Map<String, String> description) {

    private static final int FORMAT_VERSION = 1;

    public Split {
        if (sourceType == null || sourceType.isEmpty()) {
            throw new IllegalArgumentException("split sourceType must not be empty");
        }
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("split id must not be empty");
        }
        if (sizeBytes < -1) {
            throw new IllegalArgumentException("split sizeBytes must be -1 or more: " + sizeBytes);
        }
        preferredHosts = List.copyOf(preferredHosts);
        description = Map.copyOf(description);
    }

    /** The description value for {@code key}; fails clearly when a source finds it missing. */
    public String require(String key) {
        String value = description.get(key);
        if (value == null) {
            throw new IllegalArgumentException("split " + id + " of type " + sourceType + " has no '" + key + "'");
        }
        return value;
    }

    /** Encodes this split in a small, versioned binary form. */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_VERSION);
            out.writeUTF(sourceType);
            out.writeUTF(id);
            out.writeLong(sizeBytes);
            out.writeInt(preferredHosts.size());
            for (String host : preferredHosts) {
                out.writeUTF(host);
            }
            // Sorted so that equal splits encode to equal bytes.
            Map<String, String> sorted = new TreeMap<>(description);
            out.writeInt(sorted.size());
            for (Map.Entry<String, String> e : sorted.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Decodes a split written by {@link #toBytes}.
     *
     * @throws IllegalArgumentException if the bytes are not an encoded split of a known version
     */
    public static Split fromBytes(byte[] encoded) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
            int version = in.readByte();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("unknown split format version " + version);
            }
            String sourceType = in.readUTF();
            String id = in.readUTF();
            long sizeBytes = in.readLong();
            int hostCount = in.readInt();
            List<String> hosts = new ArrayList<>(Math.min(hostCount, 64));
            for (int i = 0; i < hostCount; i++) {
                hosts.add(in.readUTF());
            }
            int entries = in.readInt();
            Map<String, String> description = new TreeMap<>();
            for (int i = 0; i < entries; i++) {
                description.put(in.readUTF(), in.readUTF());
            }
            return new Split(sourceType, id, sizeBytes, hosts, description);
        } catch (IOException e) {
            throw new IllegalArgumentException("not an encoded split: " + e, e);
        }
    }
}
