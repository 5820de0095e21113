package io.drover.connectors.file;

import io.drover.connectors.JobCommitter;
import io.drover.connectors.Writer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The job-level commit protocol of a {@link FileSink}; see there for the layout. */
final class FileJobCommitter<T> implements JobCommitter<T> {

    static final String TEMPORARY = "_temporary";
    static final String COMMITTED = "committed";
    static final String SUCCESS = "_SUCCESS";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,200}");

    private final FileSinkConfig config;
    private final FileFormat<T> format;
    private final String jobId;
    private final Path jobDir;
    private final Path committedDir;
    private volatile boolean ended;

    private FileJobCommitter(FileSinkConfig config, FileFormat<T> format, String jobId) {
        this.config = config;
        this.format = format;
        this.jobId = jobId;
        this.jobDir = config.output().resolve(TEMPORARY).resolve(jobId);
        this.committedDir = jobDir.resolve(COMMITTED);
    }

    /**
     * Whether {@code output}'s {@code _SUCCESS} names {@code jobId}, i.e. that job's commit
     * completed. Markers of other jobs, empty ones (other writers) and missing ones say no.
     */
    static boolean committedBy(Path output, String jobId) throws IOException {
        Path marker = output.resolve(SUCCESS);
        if (!Files.isRegularFile(marker) || Files.size(marker) > 1024) {
            return false;
        }
        return new String(Files.readAllBytes(marker), StandardCharsets.UTF_8).equals(jobId);
    }

    static <T> FileJobCommitter<T> begin(FileSinkConfig config, FileFormat<T> format, String jobId)
            throws IOException {
        checkId("job id", jobId);
        FileJobCommitter<T> committer = new FileJobCommitter<>(config, format, jobId);
        committer.checkOutputCanTakeJob();
        Files.createDirectories(committer.jobDir.getParent());
        try {
            Files.createDirectory(committer.jobDir);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("job " + jobId + " has already begun on " + config.output()
                    + " (" + committer.jobDir + " exists)", e);
        }
        Files.createDirectory(committer.committedDir);
        return committer;
    }

    /**
     * A committer of a job another process began: its directories must exist. Its tasks' writes and
     * commits work as the beginner's; committing or aborting the job stays with the beginner.
     */
    static <T> FileJobCommitter<T> attach(FileSinkConfig config, FileFormat<T> format, String jobId) {
        checkId("job id", jobId);
        FileJobCommitter<T> committer = new FileJobCommitter<>(config, format, jobId);
        if (!Files.isDirectory(committer.committedDir)) {
            throw new IllegalStateException("job " + jobId + " is not in progress on " + config.output() + " ("
                    + committer.committedDir + " does not exist: the job never began there, or has ended)");
        }
        return committer;
    }

    private static void checkId(String what, String id) {
        if (id == null || !ID.matcher(id).matches() || id.equals(".") || id.equals("..")) {
            throw new IllegalArgumentException(what + " must be 1 to 200 of letters, digits, '-', '_' and '.': " + id);
        }
    }

    /** The entries of the output directory that readers would see as data. */
    private List<Path> visibleOutput() throws IOException {
        Path output = config.output();
        if (!Files.exists(output)) {
            return List.of();
        }
        if (!Files.isDirectory(output)) {
            throw new IllegalStateException("output " + output + " exists and is not a directory");
        }
        try (Stream<Path> entries = Files.list(output)) {
            return entries.filter(p -> !p.getFileName().toString().equals(TEMPORARY)).sorted().toList();
        }
    }

    private void checkOutputCanTakeJob() throws IOException {
        List<Path> existing = visibleOutput();
        if (!existing.isEmpty() && !config.overwrite()) {
            List<String> names = existing.stream().limit(5).map(p -> p.getFileName().toString()).toList();
            throw new IllegalStateException("output directory " + config.output() + " already holds data "
                    + names + (existing.size() > 5 ? " and more" : "")
                    + "; choose another directory, or set overwrite to replace it");
        }
    }

    @Override
    public String jobId() {
        return jobId;
    }

    private Path attemptDir(String taskId, int attempt) {
        checkId("task id", taskId);
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must be 0 or more: " + attempt);
        }
        // Attempt directories end in -<digits> and "committed" does not, so names never clash.
        return jobDir.resolve(taskId + "-" + attempt);
    }

    private void checkRunning() {
        if (ended) {
            throw new IllegalStateException("job " + jobId + " has ended");
        }
    }

    @Override
    public Writer<T> openWriter(String taskId, int attempt) throws IOException {
        checkRunning();
        Path dir = attemptDir(taskId, attempt);
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("task " + taskId + " attempt " + attempt + " of job " + jobId
                    + " already has a writer", e);
        }
        // The part file exists from the start, so a committed directory is never empty and a
        // rename onto it always fails (rename(2) would replace an empty one).
        OutputStream out = Files.newOutputStream(dir.resolve("part" + format.extension()),
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            return format.newWriter(new BufferedOutputStream(out, config.writeBufferBytes()));
        } catch (IOException | RuntimeException e) {
            out.close();
            throw e;
        }
    }

    @Override
    public synchronized boolean commitTask(String taskId, int attempt) throws IOException {
        checkRunning();
        Path dir = attemptDir(taskId, attempt);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("task " + taskId + " attempt " + attempt + " of job " + jobId
                    + " has no output to commit (no writer, or already aborted or committed)");
        }
        Path target = committedDir.resolve(taskId);
        if (Files.exists(target)) {
            deleteRecursively(dir);
            return false;
        }
        try {
            move(dir, target);
            return true;
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            // Another process committed an attempt of this task between the check and the rename.
            deleteRecursively(dir);
            return false;
        }
    }

    @Override
    public void abortTask(String taskId, int attempt) throws IOException {
        deleteRecursively(attemptDir(taskId, attempt));
    }

    @Override
    public synchronized void commitJob() throws IOException {
        checkRunning();
        List<Path> existing = visibleOutput();
        if (!existing.isEmpty()) {
            if (!config.overwrite()) {
                checkOutputCanTakeJob();
            }
            // _SUCCESS goes first, so no reader trusts a half-replaced directory.
            deleteRecursively(config.output().resolve(SUCCESS));
            for (Path old : existing) {
                deleteRecursively(old);
            }
        }
        int index = 0;
        for (Path taskDir : committedTasks()) {
            for (Path part : sortedFiles(taskDir)) {
                move(part, config.output().resolve(String.format("part-%05d%s", index++, format.extension())));
            }
        }
        // The marker names the job that committed, so a restarted driver can tell its own commit.
        Files.write(config.output().resolve(SUCCESS), jobId.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE_NEW);
        ended = true;
        deleteJobDir();
    }

    @Override
    public synchronized void abortJob() throws IOException {
        ended = true;
        deleteJobDir();
    }

    private List<Path> committedTasks() throws IOException {
        try (Stream<Path> tasks = Files.list(committedDir)) {
            return tasks.sorted(Comparator.comparing(p -> p.getFileName().toString(), FileJobCommitter::compareTaskIds))
                    .toList();
        }
    }

    private static List<Path> sortedFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** Numeric task ids in numeric order, before other ids in string order. */
    static int compareTaskIds(String a, String b) {
        boolean aNumeric = a.chars().allMatch(Character::isDigit);
        boolean bNumeric = b.chars().allMatch(Character::isDigit);
        if (aNumeric && bNumeric) {
            String as = stripLeadingZeros(a);
            String bs = stripLeadingZeros(b);
            int byLength = Integer.compare(as.length(), bs.length());
            int byValue = byLength != 0 ? byLength : as.compareTo(bs);
            // "2" and "002" are distinct tasks; the order between them must not depend on listing order.
            return byValue != 0 ? byValue : a.compareTo(b);
        }
        if (aNumeric != bNumeric) {
            return aNumeric ? -1 : 1;
        }
        return a.compareTo(b);
    }

    private static String stripLeadingZeros(String digits) {
        int i = 0;
        while (i < digits.length() - 1 && digits.charAt(i) == '0') {
            i++;
        }
        return digits.substring(i);
    }

    private void deleteJobDir() throws IOException {
        deleteRecursively(jobDir);
        try {
            Files.deleteIfExists(jobDir.getParent());
        } catch (DirectoryNotEmptyException e) {
            // Another job on the same output is still running.
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> all = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(path)) {
            walk.forEach(all::add);
        } catch (NoSuchFileException e) {
            return;
        }
        for (int i = all.size() - 1; i >= 0; i--) {
            Files.deleteIfExists(all.get(i));
        }
    }
}
