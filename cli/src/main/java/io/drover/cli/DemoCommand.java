package io.drover.cli;

import io.drover.api.protocol.JobSubmission;
import io.drover.cli.local.LocalCluster;
import io.drover.job.service.JobClient;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code drover demo}: a local cluster with the job service, a generated corpus, and the built-in
 * wordcount through {@code drover job submit}'s code path, with its progress, the top words, the
 * stage timings and where the output is.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start a local cluster (Kafka broker, master, 2 agents, job service), write a sample corpus,",
            "run wordcount on it as a distributed job with a progress bar, print the top words, the stage",
            "timings and where the output is, and stop the cluster."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--data-dir", description = "where the demo cluster keeps its data (default: a fresh temporary directory, removed afterwards)")
    Path dataDir;

    @Option(names = "--work-dir", defaultValue = ".drover/demo",
            description = "where the corpus and the job's output go, kept afterwards (default: ${DEFAULT-VALUE})")
    Path workDir;

    @Option(names = "--corpus-mb", defaultValue = "16", description = "size of the generated corpus in MiB (default: ${DEFAULT-VALUE})")
    int corpusMb;

    /** The most common English words, most common first: the corpus draws them by a Zipf law. */
    private static final String[] WORDS = ("the of and to a in is it you that he was for on are with as I his they be at one "
            + "have this from or had by hot word but what some we can out other were all there when up use your how said an "
            + "each she which do their time if will way about many then them write would like so these her long make thing "
            + "see him two has look more day could go come did number sound no most people my over know water than call first "
            + "who may down side been now find any new work part take get place made live where after back little only round "
            + "man year came show every good me give our under name very through just form sentence great think say help low "
            + "line differ turn cause much mean before move right boy old too same tell does set three want air well also play "
            + "small end put home read hand port large spell add even land here must big high such follow act why ask men "
            + "change went light kind off need house picture try us again animal point mother world near build self earth father").split(" ");

    @Override
    public Integer call() throws Exception {
        if (corpusMb < 1 || corpusMb > 4096) {
            System.err.println("drover demo: --corpus-mb must be 1 to 4096");
            return 2;
        }
        Path dir = dataDir != null ? dataDir : Files.createTempDirectory("drover-demo-");
        Path work = workDir.toAbsolutePath().normalize();
        long start = System.nanoTime();
        System.out.println("Starting a local Drover cluster (Kafka broker, master, 2 agents, job service) in " + dir + " ...");
        try (LocalCluster cluster = LocalCluster.start(dir, 2, 0)) {
            cluster.startJobService();
            System.out.printf("Ready in %.1f s:%n%s%n", (System.nanoTime() - start) / 1e9, cluster.describe());
            Path corpus = work.resolve("corpus");
            Path output = work.resolve("wordcount-out");
            deleteTree(work);
            long t0 = System.nanoTime();
            long bytes = writeCorpus(corpus, corpusMb);
            System.out.printf("Wrote a sample corpus: %s in 4 files under %s (%.1f s)%n%n", JobProgressPrinter.bytes(bytes),
                    corpus, (System.nanoTime() - t0) / 1e9);
            System.out.println("$ ./drover job submit wordcount --input " + corpus + " --output " + output);
            JobSubmission submission = JobSubmission.newBuilder().setBuiltin("wordcount").setInputs(List.of(corpus.toString()))
                    .setOutput(output.toString()).setSubmitter(System.getProperty("user.name", "")).build();
            int exit;
            try (JobClient client = new JobClient(cluster.bootstrap(), Clock.systemUTC())) {
                String jobId = client.submit("wordcount", submission);
                exit = JobCommand.follow(client, jobId, System.out, System.console() != null, Duration.ofSeconds(60));
            }
            if (exit != 0) {
                return exit;
            }
            System.out.println();
            System.out.println("Top words:");
            for (String[] w : topWords(output, 10)) {
                System.out.printf("  %-10s %,12d%n", w[0], Long.parseLong(w[1]));
            }
            System.out.println();
            System.out.println("The output is in " + output + " (part files of word<TAB>count lines, and _SUCCESS).");
            System.out.println("Stopping the cluster.");
            return 0;
        } finally {
            if (dataDir == null) {
                deleteTree(dir);
            }
        }
    }

    /** Four files of Zipf-distributed words, 12 per line; returns the bytes written. */
    static long writeCorpus(Path corpus, int mb) throws IOException {
        Files.createDirectories(corpus);
        Random random = new Random(2026);
        long target = (long) mb << 20;
        double[] cumulative = new double[WORDS.length];
        double sum = 0;
        for (int i = 0; i < WORDS.length; i++) {
            sum += 1.0 / (i + 1);
            cumulative[i] = sum;
        }
        long written = 0;
        for (int f = 0; f < 4; f++) {
            try (BufferedWriter out = Files.newBufferedWriter(corpus.resolve("part-" + f + ".txt"), StandardCharsets.UTF_8)) {
                long fileBytes = 0;
                StringBuilder line = new StringBuilder(128);
                while (fileBytes < target / 4) {
                    line.setLength(0);
                    for (int w = 0; w < 12; w++) {
                        double u = random.nextDouble() * sum;
                        int i = java.util.Arrays.binarySearch(cumulative, u);
                        line.append(w == 0 ? "" : " ").append(WORDS[i < 0 ? Math.min(-i - 1, WORDS.length - 1) : i]);
                    }
                    line.append('\n');
                    out.write(line.toString());
                    fileBytes += line.length();
                }
                written += fileBytes;
            }
        }
        return written;
    }

    static List<String[]> topWords(Path output, int n) throws IOException {
        List<String[]> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(output)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    int tab = line.lastIndexOf('\t');
                    if (tab > 0) {
                        all.add(new String[] {line.substring(0, tab), line.substring(tab + 1)});
                    }
                }
            }
        }
        all.sort(Comparator.comparingLong((String[] w) -> Long.parseLong(w[1])).reversed());
        return all.subList(0, Math.min(n, all.size()));
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            System.err.println("drover demo: could not remove " + dir + ": " + e.getMessage());
        }
    }
}
