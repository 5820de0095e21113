package io.drover.connectors.file;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Expands input paths into the regular files they name.
 *
 * <ul>
 *   <li>a file is itself;
 *   <li>a directory is the regular files directly inside it, sorted by name, skipping hidden ones
 *       (names starting with '.' or '_', such as {@code _SUCCESS} and {@code _temporary}), so the
 *       output directory of a job can be read as input;
 *   <li>a path with glob characters ({@code * ? [ {}) is a {@link PathMatcher} glob: {@code *}
 *       stays within a directory, {@code **} crosses directories; matches are sorted.
 * </ul>
 */
public final class InputPaths {

    private InputPaths() {}

    /**
     * The regular files named by {@code patterns}, in the order given, each file once.
     *
     * @throws IllegalArgumentException if a path does not exist or a glob matches no file, naming it
     */
    public static List<Path> expand(List<String> patterns) throws IOException {
        Set<Path> files = new LinkedHashSet<>();
        for (String pattern : patterns) {
            files.addAll(isGlob(pattern) ? glob(pattern) : plain(Path.of(pattern)));
        }
        return List.copyOf(files);
    }

    private static boolean isGlob(String pattern) {
        return pattern.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    private static List<Path> plain(Path path) throws IOException {
        if (Files.isRegularFile(path)) {
            return List.of(path.toAbsolutePath().normalize());
        }
        if (Files.isDirectory(path)) {
            try (Stream<Path> children = Files.list(path)) {
                return children.filter(Files::isRegularFile)
                        .filter(p -> !isHidden(p))
                        .map(p -> p.toAbsolutePath().normalize())
                        .sorted()
                        .toList();
            }
        }
        throw new IllegalArgumentException("input path does not exist: " + path);
    }

    private static List<Path> glob(String pattern) throws IOException {
        FileSystem fs = FileSystems.getDefault();
        Path whole = Path.of(pattern);
        // The glob is matched below its longest literal prefix, so only that subtree is walked.
        Path base = whole.isAbsolute() ? whole.getRoot() : Path.of("");
        int firstGlob = 0;
        for (; firstGlob < whole.getNameCount(); firstGlob++) {
            String name = whole.getName(firstGlob).toString();
            if (isGlob(name)) {
                break;
            }
            base = base.resolve(name);
        }
        Path rest = whole.subpath(firstGlob, whole.getNameCount());
        PathMatcher matcher = fs.getPathMatcher("glob:" + rest);
        int maxDepth = rest.toString().contains("**") ? Integer.MAX_VALUE : rest.getNameCount();
        if (!Files.isDirectory(base)) {
            throw new IllegalArgumentException("input glob matches no file (no directory " + base + "): " + pattern);
        }
        List<Path> matches = new ArrayList<>();
        Path walkRoot = base.toString().isEmpty() ? Path.of(".") : base;
        try (Stream<Path> walk = Files.walk(walkRoot, maxDepth)) {
            walk.filter(Files::isRegularFile)
                    .filter(p -> matcher.matches(walkRoot.relativize(p)))
                    .map(p -> p.toAbsolutePath().normalize())
                    .sorted()
                    .forEach(matches::add);
        }
        if (matches.isEmpty()) {
            throw new IllegalArgumentException("input glob matches no file: " + pattern);
        }
        return matches;
    }

    private static boolean isHidden(Path p) {
        String name = p.getFileName().toString();
        return name.startsWith(".") || name.startsWith("_");
    }
}
