package org.tuneless.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;

import org.tuneless.bench.Benchmark;
import org.tuneless.bench.BenchmarkResult;
import org.tuneless.bench.Contender;
import org.tuneless.bench.Contenders;
import org.tuneless.bench.Suite;
import org.tuneless.bench.SuiteFile;
import org.tuneless.bench.Targets;
import org.tuneless.plot.BenchmarkCharts;
import org.tuneless.run.LocalExecutor;
import org.tuneless.run.TrialExecutor;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./tuneless bench}: the self-tuning benchmark (benchmarks/tuning-free/README.md). Runs every optimizer on
 * every workload of a suite, appends one row per finished run to OUT/results.csv (resumable: an existing OUT continues),
 * then writes leaderboard.md and the charts. Subcommands: {@code targets} (set the suite's targets with tuned Adam) and
 * {@code report} (rebuild the report of a stored OUT).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {BenchCommand.TargetsCommand.class, BenchCommand.ReportCommand.class},
        description = {"Benchmark optimizers on the suite's workloads: time to target, performance profiles, claim checks (AlgoPerf-style, arXiv 2306.07179).",
                "Resumable: an existing --out continues where it stopped."})
public final class BenchCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--suite", defaultValue = "smoke", description = "smoke, standard, full, or a suite file PATH[#LEVEL] (default: ${DEFAULT-VALUE})")
    String suite;

    @Option(names = "--workloads", split = ",", description = "only these workloads of the suite")
    List<String> workloads;

    @Option(names = "--optimizers", split = ",", description = "preset names or catalog optimizers (default, when neither --optimizers nor --optimizer is given: the standard list: adam, adam-tuned, momentum-tuned, "
            + "adamw-cosine-tuned, prodigy, sf-adamw, dog, dadapt-adam, mechanic, agd, ecco, cdat, ecco-eta, ecco-eta-nocap, cdat-scale)")
    List<String> optimizers;

    @Option(names = "--optimizer", description = "one more optimizer with options: NAME:key=value,… (self-tuning) or NAME[:…]@KNOB=v1/v2/… (external tuning); repeatable")
    List<String> extra;

    @Option(names = "--seeds", description = "seeds 0 … N−1 for self-tuning optimizers (default: 1 for the smoke suite, a pipeline check "
            + "that fits in 3 minutes on 2 cores; 3 otherwise)")
    Integer seeds;

    @Option(names = "--tuning-seeds", defaultValue = "1", description = "seeds for each grid point of an external-tuning optimizer (default: ${DEFAULT-VALUE})")
    int tuningSeeds;

    @Option(names = "--threads", description = "trials in parallel (default: the number of processors)")
    Integer threads;

    @Option(names = "--master", paramLabel = "URL", description = "run the trials as Apache Spark tasks: local[N] (embedded Spark, N trials "
            + "at once), spark://host:7077 (a cluster); default: local threads (--threads)")
    String master;

    @Option(names = "--spark-ui", description = "with --master: serve the Spark application's web UI (its URL is printed; default: off)")
    boolean sparkUi;

    @Option(names = "--spark-conf", paramLabel = "KEY=VALUE", description = "with --master: a Spark setting, e.g. spark.executor.memory=4g; repeatable")
    Map<String, String> sparkConf;

    @Option(names = "--out", description = "output directory (required); an existing one continues (its finished runs are kept)")
    Path out;

    @Option(names = "--no-charts", description = "skip the SVG/PNG charts")
    boolean noCharts;

    static String presets() {
        StringBuilder b = new StringBuilder();
        Contenders.descriptions().forEach((k, v) -> b.append(String.format(Locale.ROOT, "  %-20s %s%n", k, v)));
        return b.toString();
    }

    @Override public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (out == null) throw new IllegalArgumentException("--out DIR is missing: the directory for results.csv, leaderboard.md and the charts (an existing one continues)");
        Suite s = Suite.named(suite);
        if (workloads != null && !workloads.isEmpty()) s = s.only(workloads);
        List<Contender> cs = new ArrayList<>();
        boolean none = (optimizers == null || optimizers.isEmpty()) && (extra == null || extra.isEmpty());
        for (String n : none ? Contenders.STANDARD : optimizers == null ? List.<String>of() : optimizers) cs.add(Contenders.parse(n));
        if (extra != null) for (String n : extra) cs.add(Contenders.parse(n));
        int seeds = this.seeds != null ? this.seeds : suite.equals("smoke") ? 1 : 3;
        if (seeds < 1) throw new IllegalArgumentException("--seeds " + seeds + " must be ≥ 1");
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        Interruption interruption = Interruption.install();
        long start = System.nanoTime();
        TrialExecutor executor = master == null ? new LocalExecutor(t) : spark(master, sparkSettings(sparkUi, sparkConf));
        TrialProgress bar = new TrialProgress(executor, o);
        Benchmark b = Benchmark.builder().suite(s).contenders(cs).seeds(LongStream.range(0, seeds).boxed().toList()).tuningSeeds(tuningSeeds)
                .executor(executor).out(out).interruptWhen(interruption::requested)
                .progress((done, total, row) -> {
                    double el = (System.nanoTime() - start) / 1e9;
                    bar.finished(done, total, row.status().equals("FAILED"), String.format(Locale.ROOT, "[%d/%d %3.0f%%] %-55s %-9s %s %6.1f s   elapsed %s",
                            done, total, 100.0 * done / total, row.trial(), row.status(), row.reached() ? "target at step " + row.stepsToTarget() : "not reached",
                            row.wallSeconds(), clock(el)));
                }).build();
        int planned = b.plan().size();
        o.printf(Locale.ROOT, "tuneless bench: suite %s, %d workloads, %d optimizers, %d runs, %s → %s%n", s.label(), s.workloads().size(), cs.size(), planned,
                master == null ? t + " threads" : "Spark " + master, out);
        BenchmarkResult r;
        try {
            bar.start(planned);
            r = b.run();
        } finally {
            bar.close();
            interruption.uninstall();
            if (executor != null) executor.close();
        }
        if (interruption.requested()) {
            err.println("tuneless bench: interrupted; " + out.resolve("results.csv") + " keeps the finished runs; the same command continues");
            return 128 + interruption.signal();
        }
        // the directory is the benchmark: when it holds runs this command did not plan (other workloads or optimizers
        // run into it before), the report covers all of them
        BenchmarkResult whole = BenchmarkResult.read(out);
        if (whole.rows().size() > r.rows().size()) {
            o.printf(Locale.ROOT, "tuneless bench: %s also holds %d earlier runs of other workloads or optimizers; the report covers all %d%n",
                    out, whole.rows().size() - r.rows().size(), whole.rows().size());
            r = whole;
        }
        report(r, out, !noCharts, o);
        return 0;
    }

    /**
     * The Spark executor of the {@code tuneless-distributed} module, loaded by name: the CLI does not depend on Spark;
     * {@code ./tuneless bench --master …} puts the module and its jars on the classpath.
     */
    static TrialExecutor spark(String master) { return spark(master, Map.of()); }

    /** The Spark settings of {@code --spark-ui} and {@code --spark-conf}. */
    static Map<String, String> sparkSettings(boolean ui, Map<String, String> conf) {
        Map<String, String> out = new LinkedHashMap<>();
        if (ui) out.put("spark.ui.enabled", "true");
        if (conf != null) {
            conf.forEach((k, v) -> {
                if (!k.startsWith("spark.")) throw new IllegalArgumentException("--spark-conf " + k + "=" + v + ": Spark settings start with 'spark.' (e.g. spark.executor.memory=4g)");
                out.put(k, v);
            });
        }
        return out;
    }

    /**
     * The Spark executor with settings; it starts its Spark context at once in the background ({@code warmUp()}), so
     * that Spark's start-up overlaps the planning and ND4J's initialization here.
     */
    static TrialExecutor spark(String master, Map<String, String> conf) {
        Class<?> c;
        try {
            c = Class.forName("org.tuneless.distributed.SparkExecutor");
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("--master " + master + ": the Spark executor (module tuneless-distributed) is not on the classpath; "
                    + "run through ./tuneless, which adds distributed/target/lib when --master is given");
        }
        try {
            Object e = c.getConstructor(String.class, Map.class).newInstance(master, conf);
            c.getMethod("warmUp").invoke(e);
            return (TrialExecutor) e;
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException iae) throw new IllegalArgumentException("--master: " + iae.getMessage(), iae);
            throw new IllegalStateException("cannot start the Spark executor: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot start the Spark executor: " + e, e);
        }
    }

    static void report(BenchmarkResult r, Path out, boolean charts, PrintWriter o) {
        r.writeReport(out);
        if (charts) BenchmarkCharts.write(r, out);
        o.println();
        o.println(r.leaderboard());
        o.println("tuneless bench: wrote " + out.resolve("results.csv") + ", " + out.resolve("leaderboard.md") + (charts ? " and the charts (SVG, PNG)" : ""));
    }

    static String clock(double s) {
        long x = Math.round(s);
        return x >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", x / 3600, x / 60 % 60, x % 60) : String.format(Locale.ROOT, "%dm%02ds", x / 60, x % 60);
    }

    @Command(name = "targets", mixinStandardHelpOptions = true,
            description = "Set a suite level's targets: Adam over lr 1e-4 … 1e-1 (7 values), seed 0, the best validation metric relaxed by 0.01 accuracy / ×1.02 loss; writes the suite file.")
    static final class TargetsCommand implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--suite", required = true, description = "smoke, standard, full (the built-in file) or a suite file PATH[#LEVEL]")
        String suite;

        @Option(names = "--from", description = "the suite file to start from (default: the built-in one, or the --suite file)")
        Path from;

        @Option(names = "--workloads", split = ",", description = "only these workloads")
        List<String> workloads;

        @Option(names = "--threads", description = "trials in parallel (default: the number of processors)")
        Integer threads;

        @Option(names = "--master", paramLabel = "URL", description = "run the trials on Apache Spark: local[N] or spark://host:7077 (e.g. the full level's targets on a cluster)")
        String master;

        @Option(names = "--out", required = true, description = "the suite file to write")
        Path out;

        @Override public Integer call() throws Exception {
            PrintWriter o = spec.commandLine().getOut();
            String level = suite;
            SuiteFile file;
            if (Suite.BUILT_IN_LEVELS.contains(suite)) file = from != null ? SuiteFile.read(from) : SuiteFile.builtIn();
            else {
                int hash = suite.lastIndexOf('#');
                Path p = Path.of(hash > 0 ? suite.substring(0, hash) : suite);
                file = SuiteFile.read(from != null ? from : p);
                level = hash > 0 ? suite.substring(hash + 1) : Suite.named(suite).level();
            }
            if (from == null && Files.exists(out) && !from(out, file)) file = SuiteFile.read(out);  // accumulate levels in one file
            int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
            TrialExecutor executor = master == null ? new LocalExecutor(t) : spark(master);
            SuiteFile result;
            try {
                result = Targets.set(file, level, workloads, Contenders.ADAM_LRS, 0, executor, line -> { o.println(line); o.flush(); });
            } finally {
                if (executor != null) executor.close();
            }
            Files.writeString(out, result.toJson());
            for (var w : result.level(level).workloads()) {
                if (workloads == null || workloads.isEmpty() || workloads.contains(w.name())) o.printf(Locale.ROOT, "%-22s %-14s target %s%n", w.name(), w.metric(), w.target());
            }
            o.println("tuneless bench targets: wrote " + out);
            return 0;
        }

        private static boolean from(Path out, SuiteFile f) { return f.source().equals(out.toString()); }
    }

    @Command(name = "report", mixinStandardHelpOptions = true, description = "Rebuild leaderboard.md and the charts of a stored benchmark directory (its results.csv).")
    static final class ReportCommand implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Parameters(index = "0", description = "the benchmark directory")
        Path dir;

        @Option(names = "--no-charts", description = "skip the SVG/PNG charts")
        boolean noCharts;

        @Override public Integer call() {
            report(BenchmarkResult.read(dir), dir, !noCharts, spec.commandLine().getOut());
            return 0;
        }
    }
}
