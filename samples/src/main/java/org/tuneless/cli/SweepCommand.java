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

import org.tuneless.dsl.RungTrial;
import org.tuneless.dsl.SweepResult;
import org.tuneless.dsl.TrialParameters;
import org.tuneless.dsl.TrialResult;
import org.tuneless.plot.SweepPlots;
import org.tuneless.run.EarlyStopping;
import org.tuneless.run.LocalExecutor;
import org.tuneless.run.SweepDriver;
import org.tuneless.run.SweepFile;
import org.tuneless.run.SweepTable;
import org.tuneless.run.TrialExecutor;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./tuneless sweep FILE.json}: runs a sweep file ({@link SweepFile}: a base run spec, parameters by field path,
 * seeds, grid/random/ASHA/Hyperband) with {@link SweepDriver}; the output directory gets sweep.json, trials.jsonl
 * (one result per finished trial), results.csv (kept up to date) and results.parquet (with {@code --master}, or
 * {@code --parquet} on local threads; through the distributed module's Spark SQL). An existing directory, or {@code --resume}, continues the sweep. ({@code ./tuneless sweep
 * FILE.main.kts} runs a Kotlin script instead; the launcher handles it.)
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Run a sweep file: a base run spec, parameters to vary by field path (e.g. \"optimizer.lr\": {\"log\": [1e-4, 1e-1, 7]}), "
                + "seeds, and a scheduler (grid, random, asha, hyperband).",
                "Writes DIR/sweep.json, DIR/trials.jsonl, DIR/results.csv (and DIR/results.parquet with --master or --parquet). An existing DIR continues the sweep (only missing trials run)."})
public final class SweepCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE.json", description = "the sweep file (see samples/sweeps/)")
    Path file;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default: runs/sweeps/<file name>)")
    Path out;

    @Option(names = "--resume", description = "continue the sweep in --out DIR (it must exist); an existing DIR continues anyway, --resume makes a missing one an error")
    boolean resume;

    @Option(names = "--threads", description = "trials at once (default: the file's threads, else the number of processors)")
    Integer threads;

    @Option(names = "--master", paramLabel = "URL", description = "run the trials as Apache Spark tasks: local[N] or spark://host:7077 (default: local threads)")
    String master;

    @Option(names = "--parquet", negatable = true, description = "also write results.parquet (Spark SQL; default: on with --master, "
            + "off on local threads, where starting Spark SQL takes longer than a small sweep: 44 s against 3 s for samples/sweeps/adam-lr.json)")
    Boolean parquetOption;

    @Override public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("no sweep file " + file + " (a JSON sweep file; a Kotlin script FILE.main.kts runs through ./tuneless sweep)");
        SweepFile sweep = SweepFile.read(file);
        Path dir = out != null ? out : Path.of("runs", "sweeps", file.getFileName().toString().replaceFirst("\\.json$", ""));
        if (resume && !Files.isDirectory(dir)) throw new IllegalArgumentException("--resume: " + dir + " does not exist; nothing to continue (drop --resume to start the sweep)");
        int t = threads != null ? threads : sweep.threads() != null ? sweep.threads() : Runtime.getRuntime().availableProcessors();
        if (t < 1) throw new IllegalArgumentException("--threads " + t + " must be ≥ 1");
        TrialExecutor executor = master == null ? new LocalExecutor(t) : BenchCommand.spark(master);
        Interruption interruption = Interruption.installForSweep();
        long start = System.nanoTime();
        SweepDriver driver = new SweepDriver(sweep, dir, executor, t).interruptWhen(interruption::requested).progress((done, total, r, kept) -> {
            if (kept) return;  // reported in the header ("continuing: N finished trials kept")
            double el = (System.nanoTime() - start) / 1e9;
            String bar = total > 0 ? bar(done, total) + String.format(Locale.ROOT, " %" + Integer.toString(total).length() + "d/%d", done, total) : String.format(Locale.ROOT, "[%d]", done);
            o.printf(Locale.ROOT, "%s %-22s %-11s final loss %-10s %6.1f s   elapsed %s%n", bar, r.id(), r.status(),
                    r.failed() ? "-" : String.format(Locale.ROOT, "%.4g", r.finalLoss()), r.seconds(), BenchCommand.clock(el));
            o.flush();
        });
        int stored = driver.prepare();
        SweepFile.Scheduler s = sweep.scheduler();
        o.printf(Locale.ROOT, "tuneless sweep: %s — %d configurations × %d seeds, scheduler %s%s, %s → %s%s%n", file.getFileName(), sweep.configurations().size(),
                sweep.seeds().size(), s.kind(), s.earlyStopping() ? " (min_steps " + s.minSteps() + ", η = " + s.eta() + ", up to " + sweep.base().steps() + " steps)" : "",
                master == null ? t + " threads" : "Spark " + master, dir, stored > 0 ? " (continuing: " + stored + " finished trials kept)" : "");
        o.flush();
        SweepTable table;
        try {
            table = driver.run();
        } catch (InterruptedException e) {
            err.println("tuneless sweep: interrupted; " + dir.resolve("trials.jsonl") + " keeps the finished trials; the same command (or --resume) continues");
            return 128 + Math.max(2, interruption.signal());
        } finally {
            interruption.uninstall();
            if (executor != null) executor.close();
        }
        boolean wantParquet = parquetOption != null ? parquetOption : master != null;
        Path parquet = wantParquet ? parquet(table, dir.resolve("results.parquet"), err) : null;
        Path chart = sweep.scheduler().earlyStopping() ? rungChart(sweep, table, dir.resolve("rungs.png")) : null;
        o.println();
        o.print(table.format());
        o.println();
        driver.best().ifPresentOrElse(b -> o.printf(Locale.ROOT, "best: %s  %s = %.4g%n", b.id(),
                        b.evaluations().stream().anyMatch(e -> e.split().equals("test")) ? "test loss" : "final loss", EarlyStopping.lastTestLoss(b)),
                () -> o.println("best: none (no trial completed the full budget)"));
        long failed = driver.results().values().stream().filter(r -> !r.status().equals("COMPLETED")).count();
        o.printf(Locale.ROOT, "tuneless sweep: %d trials (%d run now, %d kept from before, %d not COMPLETED); wrote %s, %s, %s%s%n", table.rows().size(),
                driver.results().size() - driver.resumed(), driver.resumed(), failed, dir.resolve("sweep.json"), dir.resolve("trials.jsonl"),
                dir.resolve("results.csv"), (parquet == null ? "" : ", " + parquet) + (chart == null ? "" : " and the rung chart " + chart));
        return 0;
    }

    /**
     * results.parquet through the distributed module's Spark SQL writer, loaded by name (the CLI does not depend on
     * Spark); null with a note when the module is not on the classpath.
     */
    static Path parquet(SweepTable table, Path dir, PrintWriter err) {
        Class<?> c;
        try {
            c = Class.forName("org.tuneless.distributed.ParquetTables");
        } catch (ClassNotFoundException e) {
            err.println("tuneless sweep: results.parquet skipped: the distributed module (Spark SQL) is not on the classpath; ./tuneless sweep adds it");
            return null;
        }
        try {
            return (Path) c.getMethod("write", SweepTable.class, Path.class).invoke(null, table, dir);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new IllegalStateException("cannot write " + dir + ": " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot write " + dir + ": " + e, e);
        }
    }

    /**
     * The rung chart of an ASHA/Hyperband sweep ({@link SweepPlots#rungs}): one line per configuration×seed (and
     * bracket) through its rungs, the loss compared (last test loss, else final training loss) against the steps; null
     * when no trial has a finite loss.
     */
    static Path rungChart(SweepFile sweep, SweepTable table, Path png) {
        List<String> names = new ArrayList<>(sweep.parameters().keySet());
        List<String> columns = new ArrayList<>(org.tuneless.metrics.Csv.columnNames(names).values());
        Map<String, Integer> units = new LinkedHashMap<>();
        List<TrialResult> rows = new ArrayList<>();
        List<RungTrial> rungs = new ArrayList<>();
        for (List<Object> r : table.rows()) {
            String id = (String) r.get(table.column("trial"));
            Object rung = r.get(table.column("rung"));
            if (rung == null) continue;  // a configuration that could not be built
            String unit = id.replaceFirst("^b\\d+-", "").replaceFirst("-r\\d+$", "");
            Map<String, Double> values = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) values.put(names.get(i), (Double) r.get(table.column(columns.get(i))));
            long seed = (Long) r.get(table.column("seed"));
            int c = units.computeIfAbsent(unit, u -> {
                rows.add(new TrialResult(units.size(), new TrialParameters(values, seed), "COMPLETED", Double.NaN, Double.NaN, Double.NaN, 0, "", null, null, null, null));
                return units.size();
            });
            Double test = (Double) r.get(table.column("test_loss")), fin = (Double) r.get(table.column("final_loss"));
            double loss = test != null ? test : fin != null ? fin : Double.NaN;
            rungs.add(new RungTrial(c, (Integer) r.get(table.column("bracket")), (Integer) rung, (Long) r.get(table.column("steps")), loss,
                    (String) r.get(table.column("status"))));
        }
        if (rungs.stream().noneMatch(r -> Double.isFinite(r.getLoss()) && r.getLoss() > 0)) return null;
        return SweepPlots.rungs(new SweepResult(names, rows, rungs)).save(png);
    }

    /** A 20-character bar over the trials. */
    static String bar(int done, int total) {
        int n = (int) Math.round(20.0 * Math.min(done, total) / total);
        return "[" + "#".repeat(n) + ".".repeat(20 - n) + "]";
    }
}
