package io.drover.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Parsing of sizes ("64m", "2g", "512") and durations ("20s", "500ms", "2m") on the command line. */
public final class Units {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)i?b?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?", Pattern.CASE_INSENSITIVE);

    /** A size in MiB: a bare number is MiB; k, m, g and t suffixes are KiB, MiB, GiB and TiB. */
    public static long parseMb(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size: use a number of MiB or a suffix, as in 64m or 2g");
        }
        double n = Double.parseDouble(m.group(1));
        double mb = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> n / 1024;
            case "g" -> n * 1024;
            case "t" -> n * 1024 * 1024;
            default -> n;
        };
        return (long) Math.ceil(mb);
    }

    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration: use a number with ms, s, m or h, as in 20s");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }

    /**
     * A resource amount such as {@code cpus=2,mem=4g,disk=10g,gpus=1}; missing kinds are zero.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static io.drover.api.protocol.Resources parseResources(String text) {
        double cpus = 0;
        long mem = 0;
        long disk = 0;
        int gpus = 0;
        for (String part : text.split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("'" + part + "' is not KIND=AMOUNT (as cpus=2 or mem=4g)");
            }
            switch (kv[0].trim().toLowerCase(Locale.ROOT)) {
                case "cpus" -> cpus = parseNumber(kv[1], "cpus");
                case "mem" -> mem = parseMb(kv[1]);
                case "disk" -> disk = parseMb(kv[1]);
                case "gpus" -> gpus = (int) parseNumber(kv[1], "gpus");
                default -> throw new IllegalArgumentException("unknown resource '" + kv[0] + "': use cpus, mem, disk or gpus");
            }
        }
        return io.drover.api.ResourceMath.of(cpus, mem, disk, gpus);
    }

    private static double parseNumber(String text, String what) {
        try {
            double d = Double.parseDouble(text.trim());
            if (!(d >= 0) || Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a number not below 0, was '" + text + "'");
        }
    }

    /** Picocli converter for sizes in MiB. */
    public static final class MbConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return parseMb(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Picocli converter for durations. */
    public static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return parseDuration(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    private Units() {}
}
