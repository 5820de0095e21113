package io.drover.benchmarks.batch;

import java.nio.file.Path;

/**
 * Runs one single-process baseline in its own JVM, so the batch benchmark measures it like the
 * Drover job: {@code wordcount INPUT OUTPUT} or {@code sort INPUT OUTPUT}.
 */
public final class BaselineMain {
    public static void main(String[] args) throws Exception {
        if (args.length != 3 || !(args[0].equals("wordcount") || args[0].equals("sort"))) {
            System.err.println("usage: BaselineMain wordcount|sort INPUT OUTPUT");
            System.exit(2);
        }
        Path in = Path.of(args[1]);
        Path out = Path.of(args[2]);
        long n = args[0].equals("wordcount") ? Baselines.wordcount(in, out) : Baselines.sort(in, out);
        System.out.println(args[0] + ": " + n + (args[0].equals("wordcount") ? " distinct words" : " records"));
    }

    private BaselineMain() {}
}
