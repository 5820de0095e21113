package io.drover.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the output of {@code nvidia-smi --query-gpu=index,name,memory.total --format=csv,noheader,nounits}:
 * one line per GPU, {@code index, name, memory in MiB}. A pure function of the text.
 */
final class NvidiaSmiParser {
    /** Most GPUs one agent reports; more lines than this mean the output is not what we asked for. */
    static final int MAX_GPUS = 256;
    /** Longest GPU name kept, in characters. */
    static final int MAX_NAME_LENGTH = AgentConfig.MAX_ATTRIBUTE_LENGTH;

    /** One GPU as nvidia-smi lists it. */
    record Gpu(int index, String name, long memoryMb) {}

    /**
     * The GPUs listed in {@code output}, in its order. Blank lines are skipped; no lines means no
     * GPUs. A name may contain commas (the index is the first field, the memory the last).
     *
     * @throws IllegalArgumentException naming the first line that is not {@code index, name,
     *     memory}, or when there are more than {@link #MAX_GPUS} lines
     */
    static List<Gpu> parse(String output) {
        List<Gpu> gpus = new ArrayList<>();
        for (String raw : output.split("\\R")) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (gpus.size() == MAX_GPUS) {
                throw new IllegalArgumentException("more than " + MAX_GPUS + " GPU lines");
            }
            gpus.add(parseLine(line));
        }
        return List.copyOf(gpus);
    }

    private static Gpu parseLine(String line) {
        int first = line.indexOf(',');
        int last = line.lastIndexOf(',');
        if (first < 0 || last == first) {
            throw new IllegalArgumentException("expected 'index, name, memory' but got '" + shorten(line) + "'");
        }
        String name = line.substring(first + 1, last).strip();
        if (name.isEmpty() || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("no usable GPU name in '" + shorten(line) + "'");
        }
        int index;
        long memoryMb;
        try {
            index = Integer.parseInt(line.substring(0, first).strip());
            memoryMb = Long.parseLong(line.substring(last + 1).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("index and memory must be whole numbers in '" + shorten(line) + "'");
        }
        if (index < 0 || memoryMb < 0) {
            throw new IllegalArgumentException("index and memory must not be negative in '" + shorten(line) + "'");
        }
        return new Gpu(index, shorten(name), memoryMb);
    }

    private static String shorten(String s) {
        return s.length() <= MAX_NAME_LENGTH ? s : s.substring(0, MAX_NAME_LENGTH);
    }

    private NvidiaSmiParser() {}
}
