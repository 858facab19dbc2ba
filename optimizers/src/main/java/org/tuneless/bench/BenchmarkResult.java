package org.tuneless.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The rows of a benchmark and everything derived from them: per optimizer × workload {@link Cell}s (median over seeds
 * of time and steps to target; for external tuning the best grid point per seed, the median trial, the sensitivity and
 * the tuning cost), performance profiles per ruleset, and the claim checks ({@link Claims}). It is built from the rows
 * alone, so a stored results.csv gives the same report ({@link #read}).
 */
public final class BenchmarkResult {

    private final String suite;
    private final List<BenchRow> rows;

    public BenchmarkResult(String suite, List<BenchRow> rows) {
        this.suite = suite;
        this.rows = List.copyOf(rows);
    }

    /** A stored benchmark: DIR/results.csv (or the CSV file itself). */
    public static BenchmarkResult read(Path dirOrCsv) {
        Path csv = java.nio.file.Files.isDirectory(dirOrCsv) ? dirOrCsv.resolve("results.csv") : dirOrCsv;
        if (!java.nio.file.Files.exists(csv)) throw new IllegalArgumentException("no results.csv at " + csv);
        String suite = "";
        Path meta = csv.resolveSibling("benchmark.json");
        try {
            if (java.nio.file.Files.exists(meta)) suite = SuiteFile.JSON.readTree(meta.toFile()).path("suite").asText();
        } catch (java.io.IOException e) {
            suite = "";
        }
        return new BenchmarkResult(suite, ResultsCsv.read(csv));
    }

    public String suite() { return suite; }

    public List<BenchRow> rows() { return rows; }

    public List<String> workloads() { return distinct(rows.stream().map(BenchRow::workload).toList()); }

    public List<String> optimizers() { return distinct(rows.stream().map(BenchRow::optimizer).toList()); }

    public List<String> optimizers(Ruleset r) { return distinct(rows.stream().filter(x -> x.ruleset() == r).map(BenchRow::optimizer).toList()); }

    public Ruleset ruleset(String optimizer) {
        return rows.stream().filter(r -> r.optimizer().equals(optimizer)).findFirst().map(BenchRow::ruleset)
                .orElseThrow(() -> new IllegalArgumentException("no optimizer '" + optimizer + "' in this benchmark; valid: " + optimizers()));
    }

    public List<BenchRow> rows(String optimizer, String workload) {
        return rows.stream().filter(r -> r.optimizer().equals(optimizer) && r.workload().equals(workload)).toList();
    }

    /** The metric of a workload ("test accuracy" / "test loss"). */
    public Metric metric(String workload) {
        return rows.stream().filter(r -> r.workload().equals(workload)).findFirst().map(r -> Metric.parse(r.metric()))
                .orElseThrow(() -> new IllegalArgumentException("no workload '" + workload + "' in this benchmark; valid: " + workloads()));
    }

    public Double target(String workload) {
        return rows.stream().filter(r -> r.workload().equals(workload)).findFirst().map(BenchRow::target).orElse(null);
    }

    /**
     * One optimizer on one workload. Times and steps are medians over seeds (+∞ when not reached, so a median is
     * finite only if most seeds reached the target); {@code reached} counts seeds. For external tuning each seed
     * counts its best grid point (first to reach the target; if none did, the best metric), {@code bestKnob} is the
     * best point of the first seed, {@code medianTrialMetric} the median final metric over its grid, {@code
     * sensitivityDecades} the width in decades of the contiguous grid range around the best point whose final metric
     * is within 10% of the best, {@code tuningTrials} × {@code tuningSeconds} the cost of the grid.
     */
    public record Cell(String optimizer, String workload, Ruleset ruleset, int seeds, int reached, double timeToTarget, double stepsToTarget,
                       double finalMetric, double bestMetric, int diverged, int failed, Double bestKnob, double medianTrialMetric,
                       double sensitivityDecades, int tuningTrials, double tuningSeconds) {}

    public Optional<Cell> cell(String optimizer, String workload) {
        List<BenchRow> rs = rows(optimizer, workload);
        if (rs.isEmpty()) return Optional.empty();
        Metric m = metric(workload);
        Map<Long, List<BenchRow>> bySeed = new TreeMap<>();
        for (BenchRow r : rs) bySeed.computeIfAbsent(r.seed(), k -> new ArrayList<>()).add(r);
        List<Double> times = new ArrayList<>(), steps = new ArrayList<>(), finals = new ArrayList<>(), bests = new ArrayList<>();
        int reached = 0;
        for (List<BenchRow> s : bySeed.values()) {
            BenchRow b = best(s, m);
            times.add(b.reached() ? b.timeToTarget() : Double.POSITIVE_INFINITY);
            steps.add(b.reached() ? (double) b.stepsToTarget() : Double.POSITIVE_INFINITY);
            finals.add(b.finalMetric() == null ? Double.NaN : b.finalMetric());
            bests.add(b.bestMetric() == null ? Double.NaN : b.bestMetric());
            if (b.reached()) reached++;
        }
        int div = (int) rs.stream().filter(BenchRow::diverged).count(), fail = (int) rs.stream().filter(BenchRow::failed).count();
        Ruleset rule = rs.get(0).ruleset();
        Double bestKnob = null;
        double medianTrial = Double.NaN, sens = Double.NaN, cost = 0;
        int trials = 0;
        if (rule == Ruleset.EXTERNAL_TUNING) {
            List<BenchRow> first = bySeed.values().iterator().next().stream().sorted(Comparator.comparingDouble(BenchRow::knobValue)).toList();
            bestKnob = best(first, m).knobValue();
            medianTrial = median(first.stream().map(r -> r.finalMetric() == null ? Double.NaN : r.finalMetric()).toList(), m);
            sens = sensitivity(first, m, 0.10);
            trials = rs.size();
            cost = rs.stream().mapToDouble(BenchRow::wallSeconds).sum();
        }
        return Optional.of(new Cell(optimizer, workload, rule, bySeed.size(), reached, median(times), median(steps), median(finals, m), median(bests, m),
                div, fail, bestKnob, medianTrial, sens, trials, cost));
    }

    /** The best row: the first to reach the target (fewest steps, then least time), else the best final metric. */
    static BenchRow best(List<BenchRow> rs, Metric m) {
        BenchRow best = null;
        for (BenchRow r : rs) {
            if (best == null) { best = r; continue; }
            if (r.reached() != best.reached()) { if (r.reached()) best = r; continue; }
            if (r.reached()) {
                int c = Long.compare(r.stepsToTarget(), best.stepsToTarget());
                if (c < 0 || (c == 0 && r.timeToTarget() < best.timeToTarget())) best = r;
            } else if (m.better(val(r.finalMetric()), val(best.finalMetric()))) best = r;
        }
        return best;
    }

    private static double val(Double d) { return d == null ? Double.NaN : d; }

    /** Decades of the contiguous knob range around the best point whose final metric is within {@code fraction} of it. */
    static double sensitivity(List<BenchRow> sortedByKnob, Metric m, double fraction) {
        int bi = -1;
        double best = Double.NaN;
        for (int i = 0; i < sortedByKnob.size(); i++) {
            double v = val(sortedByKnob.get(i).finalMetric());
            if (sortedByKnob.get(i).diverged()) v = Double.NaN;
            if (m.better(v, best)) { best = v; bi = i; }
        }
        if (bi < 0) return Double.NaN;
        int lo = bi, hi = bi;
        while (lo - 1 >= 0 && ok(sortedByKnob.get(lo - 1), m, best, fraction)) lo--;
        while (hi + 1 < sortedByKnob.size() && ok(sortedByKnob.get(hi + 1), m, best, fraction)) hi++;
        return Math.log10(sortedByKnob.get(hi).knobValue() / sortedByKnob.get(lo).knobValue());
    }

    private static boolean ok(BenchRow r, Metric m, double best, double fraction) {
        return !r.diverged() && m.within(val(r.finalMetric()), best, fraction);
    }

    /** The median (+∞ entries count as largest; the mean of the two middle values for an even count). */
    static double median(List<Double> xs) {
        List<Double> s = xs.stream().filter(x -> !x.isNaN()).sorted().toList();
        if (s.isEmpty()) return Double.NaN;
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** The median of metric values, NaN (diverged) counted as the worst. */
    static double median(List<Double> xs, Metric m) {
        List<Double> s = new ArrayList<>(xs.stream().map(x -> x.isNaN() ? (m.higherIsBetter() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY) : x).toList());
        s.sort(null);
        if (s.isEmpty()) return Double.NaN;
        int n = s.size();
        double v = n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
        return Double.isInfinite(v) ? Double.NaN : v;
    }

    /** Time to target per optimizer and workload for {@code ruleset} (null = all optimizers). */
    public Map<String, Map<String, Double>> times(Ruleset ruleset, boolean steps) {
        Map<String, Map<String, Double>> t = new LinkedHashMap<>();
        for (String o : ruleset == null ? optimizers() : optimizers(ruleset)) {
            Map<String, Double> w = new LinkedHashMap<>();
            for (String wl : workloads()) cell(o, wl).ifPresent(c -> w.put(wl, steps ? c.stepsToTarget() : c.timeToTarget()));
            t.put(o, w);
        }
        return t;
    }

    /** The AlgoPerf profile over wall time to target (steps with {@code steps}) for a ruleset (null = all optimizers together). */
    public PerformanceProfile profile(Ruleset ruleset, boolean steps) {
        return PerformanceProfile.of(times(ruleset, steps), workloads(), PerformanceProfile.ALGOPERF_TAU_MAX);
    }

    public PerformanceProfile profile(Ruleset ruleset) { return profile(ruleset, false); }

    public List<Claims.Check> claims() { return Claims.check(this); }

    /** results.csv, leaderboard.md (and, with the plots module, the charts: {@code org.tuneless.plots.BenchmarkCharts}). */
    public Path writeReport(Path dir) {
        try {
            java.nio.file.Files.createDirectories(dir);
            // never drops a row: runs already in the directory that this result does not hold (other workloads or
            // optimizers of the same benchmark directory) are kept, before this result's rows
            Path csv = dir.resolve("results.csv");
            List<BenchRow> all = new java.util.ArrayList<>();
            if (java.nio.file.Files.exists(csv)) {
                java.util.Set<String> mine = new java.util.HashSet<>();
                rows.forEach(r -> mine.add(r.trial()));
                for (BenchRow r : ResultsCsv.read(csv)) if (!mine.contains(r.trial())) all.add(r);
            }
            all.addAll(rows);
            ResultsCsv.write(csv, all);
            java.nio.file.Files.writeString(dir.resolve("leaderboard.md"), Report.leaderboard(this));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write the report to " + dir + ": " + e.getMessage(), e);
        }
        return dir;
    }

    public String leaderboard() { return Report.leaderboard(this); }

    private static List<String> distinct(List<String> xs) { return List.copyOf(new LinkedHashSet<>(xs)); }

    @Override public String toString() { return "BenchmarkResult(" + suite + ", " + rows.size() + " runs, " + optimizers().size() + " optimizers, " + workloads().size() + " workloads)"; }
}
