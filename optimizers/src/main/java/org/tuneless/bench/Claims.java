package org.tuneless.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The papers' claims as named checks on a benchmark's rows, each with a verdict and the numbers behind it. A claim
 * whose contenders are not in the benchmark is {@link Verdict#NOT_RUN}, never guessed. "Final metric" is the metric at
 * the last evaluation (the end of the budget); for an external-tuning contender it is its best grid point's (first
 * seed), for a self-tuning one the median over seeds. Relative gaps are signed so that positive = worse than the
 * reference. Thresholds are fixed here and printed with every verdict.
 */
public final class Claims {

    private Claims() {}

    public enum Verdict {
        REPRODUCED("reproduced"), PARTIALLY("partially"), NOT_REPRODUCED("not reproduced"), NOT_RUN("not run");

        private final String label;

        Verdict(String l) { label = l; }

        public String label() { return label; }
    }

    /** One claim: its name, the paper, the statement, the verdict and the numbers per workload. */
    public record Check(String name, String source, String claim, Verdict verdict, String numbers) {}

    /** "A few %": the relative gap allowed by the AGD and Prodigy checks. */
    public static final double FEW_PERCENT = 0.05;
    /** The tolerance of "≥" comparisons (Schedule-Free vs cosine, CDAT σ = 2 vs tuned): 1% relative. */
    public static final double TIE = 0.01;

    public static List<Check> check(BenchmarkResult r) {
        List<Check> out = new ArrayList<>();
        out.add(within(r, "agd-vs-tuned-adam", "AGD, arXiv 2304.05187", "AGD, with no hyperparameters, ends within a few % of tuned Adam",
                "agd", "adam-tuned"));
        out.add(ecco(r));
        out.add(cdat(r));
        out.add(edge(r));
        out.add(within(r, "prodigy-vs-tuned-adam", "Prodigy, arXiv 2306.06101", "Prodigy at its defaults is about as good as tuned Adam",
                "prodigy", "adam-tuned"));
        out.add(scheduleFree(r));
        return out;
    }

    /** The final metric of {@code o} on {@code w}: best grid point (external), median over seeds (self); NaN if absent or diverged. */
    static double finalMetric(BenchmarkResult r, String o, String w) {
        List<BenchRow> rs = r.rows(o, w);
        if (rs.isEmpty()) return Double.NaN;
        Metric m = r.metric(w);
        if (rs.get(0).ruleset() == Ruleset.EXTERNAL_TUNING) {
            long seed = rs.stream().mapToLong(BenchRow::seed).min().getAsLong();
            double best = Double.NaN;
            for (BenchRow x : rs) if (x.seed() == seed && !x.diverged() && x.finalMetric() != null) best = m.best(x.finalMetric(), best);
            return best;
        }
        return BenchmarkResult.median(rs.stream().map(x -> x.finalMetric() == null || x.diverged() ? Double.NaN : x.finalMetric()).toList(), m);
    }

    /** Signed relative gap of {@code a} to {@code ref}: positive = a is worse. */
    static double gap(Metric m, double a, double ref) {
        double d = (a - ref) / Math.abs(ref);
        return m.higherIsBetter() ? -d : d;
    }

    static String f(double v) {
        if (Double.isNaN(v)) return "—";
        return Math.abs(v) >= 100 || Math.abs(v) < 0.01 && v != 0 ? String.format(Locale.ROOT, "%.3g", v) : String.format(Locale.ROOT, "%.4f", v);
    }

    static String pct(double v) { return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%+.1f%%", 100 * v); }

    private static Verdict verdict(int ok, int n) {
        if (n == 0) return Verdict.NOT_RUN;
        return ok == n ? Verdict.REPRODUCED : ok == 0 ? Verdict.NOT_REPRODUCED : Verdict.PARTIALLY;
    }

    private static List<String> common(BenchmarkResult r, String... optimizers) {
        List<String> out = new ArrayList<>();
        for (String w : r.workloads()) {
            boolean all = true;
            for (String o : optimizers) all &= !r.rows(o, w).isEmpty();
            if (all) out.add(w);
        }
        return out;
    }

    private static String notRun(String... optimizers) {
        return "needs the optimizers " + String.join(", ", optimizers) + " on a common workload";
    }

    static Check within(BenchmarkResult r, String name, String source, String claim, String o, String ref) {
        List<String> ws = common(r, o, ref);
        if (ws.isEmpty()) return new Check(name, source, claim, Verdict.NOT_RUN, notRun(o, ref));
        int ok = 0;
        StringBuilder b = new StringBuilder();
        for (String w : ws) {
            Metric m = r.metric(w);
            double a = finalMetric(r, o, w), t = finalMetric(r, ref, w), g = gap(m, a, t);
            boolean pass = !Double.isNaN(g) && g <= FEW_PERCENT;
            if (pass) ok++;
            b.append(String.format(Locale.ROOT, "%s: %s %s %s vs %s %s (gap %s) %s; ", w, m, o, f(a), ref, f(t), pct(g), pass ? "✓" : "✗"));
        }
        return new Check(name, source, claim + String.format(Locale.ROOT, " (gap ≤ %.0f%% of the final %s)", 100 * FEW_PERCENT, "metric"),
                verdict(ok, ws.size()), b.toString().trim());
    }

    static Check ecco(BenchmarkResult r) {
        String name = "ecco-eta-insensitivity", source = "ECCO-DNN, arXiv 2310.13901";
        String claim = "ECCO-DNN's final metric is insensitive to η over 0.1–100 (all 3 decades within 10% of the best); shown with the official 0.5 step cap and without it";
        List<String> ws = common(r, "ecco-eta");
        if (ws.isEmpty()) return new Check(name, source, claim, Verdict.NOT_RUN, notRun("ecco-eta", "ecco-eta-nocap"));
        int ok = 0, okNoCap = 0, nNoCap = 0;
        StringBuilder b = new StringBuilder();
        for (String w : ws) {
            double s = r.cell("ecco-eta", w).map(BenchmarkResult.Cell::sensitivityDecades).orElse(Double.NaN);
            boolean pass = s >= 3 - 1e-9;
            if (pass) ok++;
            b.append(String.format(Locale.ROOT, "%s: with cap %s decades", w, f(s)));
            if (!r.rows("ecco-eta-nocap", w).isEmpty()) {
                nNoCap++;
                double s2 = r.cell("ecco-eta-nocap", w).map(BenchmarkResult.Cell::sensitivityDecades).orElse(Double.NaN);
                if (s2 >= 3 - 1e-9) okNoCap++;
                b.append(String.format(Locale.ROOT, ", without cap %s decades", f(s2)));
            }
            b.append(pass ? " ✓; " : " ✗; ");
        }
        b.append(String.format(Locale.ROOT, "flat over 3 decades: %d/%d workloads with the cap, %s without it", ok, ws.size(),
                nNoCap == 0 ? "not run" : okNoCap + "/" + nNoCap));
        return new Check(name, source, claim, verdict(ok, ws.size()), b.toString());
    }

    static Check cdat(BenchmarkResult r) {
        String name = "cdat-sigma-full-batch", source = "CDAT, arXiv 2407.06183, Figs. 3, 5, 6";
        String claim = "in full batch, CDAT σ = 2 ≥ tuned constant learning rate > CDAT σ = 1 (base Adam; tuned = adam-tuned; ≥ within 1%)";
        List<String> ws = new ArrayList<>();
        for (String w : common(r, "cdat-scale", "adam-tuned")) {
            var spec = r.rows("cdat-scale", w).get(0).spec();
            if (spec.contains("\"batch\":\"full\"")) ws.add(w);
        }
        if (ws.isEmpty()) return new Check(name, source, claim, Verdict.NOT_RUN, notRun("cdat-scale", "adam-tuned") + " with a full-batch workload");
        int both = 0, any = 0;
        StringBuilder b = new StringBuilder();
        for (String w : ws) {
            Metric m = r.metric(w);
            double s2 = knobFinal(r, "cdat-scale", w, 2.0), s1 = knobFinal(r, "cdat-scale", w, 1.0), t = finalMetric(r, "adam-tuned", w);
            boolean a = !Double.isNaN(s2) && gap(m, s2, t) <= TIE, c = !Double.isNaN(t) && (Double.isNaN(s1) || m.better(t, s1));
            if (a && c) both++;
            if (a || c) any++;
            b.append(String.format(Locale.ROOT, "%s: %s σ=2 %s, tuned Adam %s, σ=1 %s (σ=2 ≥ tuned %s, tuned > σ=1 %s); ", w, m, f(s2), f(t), f(s1),
                    a ? "✓" : "✗", c ? "✓" : "✗"));
        }
        Verdict v = both == ws.size() ? Verdict.REPRODUCED : any > 0 ? Verdict.PARTIALLY : Verdict.NOT_REPRODUCED;
        return new Check(name, source, claim, v, b.toString().trim());
    }

    /** Share of η·λmax measurements below 2 that counts as "stays below 2". */
    public static final double BELOW_EDGE_SHARE = 0.9;

    /**
     * CDAT paper finding 1 (arXiv 2407.06183, Figs. 1 and 3): in full batch, Armijo line search and the quadratically
     * greedy rule undershoot the edge of stability — η·λmax stays below 2 — while their learning rate falls. Reproduced
     * on a workload when, for both tuners, at least 90% of the η·λmax measurements (all seeds) are below 2; the numbers
     * give the median η·λmax, the share below 2 and the fall of the learning rate in decades (its largest value over the
     * last), and CDAT σ = 2's median for contrast when {@code cdat-edge} ran.
     */
    static Check edge(BenchmarkResult r) {
        String name = "tuners-undershoot-edge", source = "CDAT, arXiv 2407.06183, Figs. 1, 3";
        String claim = "in full batch, line search and the greedy rule stay below the edge of stability: η·λmax < 2 at ≥ "
                + Math.round(100 * BELOW_EDGE_SHARE) + "% of the measurements (tracked every " + Contenders.EDGE_EVERY + " steps), while their learning rate falls";
        List<String> ws = new ArrayList<>();
        for (String w : common(r, "linesearch-edge", "greedy-edge")) {
            if (r.rows("linesearch-edge", w).get(0).spec().contains("\"batch\":\"full\"")) ws.add(w);
        }
        if (ws.isEmpty()) return new Check(name, source, claim, Verdict.NOT_RUN, notRun("linesearch-edge", "greedy-edge") + " with a full-batch workload"
                + " (./tuneless bench --suite standard --workloads teacher-student --optimizers linesearch-edge,greedy-edge,cdat-edge)");
        int ok = 0, any = 0;
        StringBuilder b = new StringBuilder();
        for (String w : ws) {
            boolean all = true, one = false;
            b.append(w).append(": ");
            for (String o : List.of("linesearch-edge", "greedy-edge", "cdat-edge")) {
                if (r.rows(o, w).isEmpty()) continue;
                List<Double> v = new ArrayList<>();
                double fall = Double.NaN;
                for (BenchRow x : r.rows(o, w)) {
                    for (double[] p : BenchRow.trace(x.edgeTrace())) v.add(p[1]);
                    List<double[]> lr = BenchRow.trace(x.lrTrace());
                    if (!lr.isEmpty()) {
                        double max = lr.stream().mapToDouble(p -> p[1]).max().getAsDouble(), last = lr.get(lr.size() - 1)[1];
                        double d = Math.log10(max / last);
                        fall = Double.isNaN(fall) ? d : Math.min(fall, d);
                    }
                }
                if (v.isEmpty()) {
                    b.append(o).append(" no η·λmax measured; ");
                    if (!o.equals("cdat-edge")) all = false;
                    continue;
                }
                java.util.Collections.sort(v);
                double median = v.get(v.size() / 2), below = v.stream().filter(x -> x < 2).count() / (double) v.size();
                boolean under = below >= BELOW_EDGE_SHARE;
                if (!o.equals("cdat-edge")) {
                    all &= under;
                    one |= under;
                }
                b.append(String.format(Locale.ROOT, "%s median η·λmax %s, %.0f%% below 2, lr fell %s decades%s; ", o, f(median), 100 * below,
                        Double.isNaN(fall) ? "—" : String.format(Locale.ROOT, "%.1f", fall), o.equals("cdat-edge") ? " (contrast)" : under ? " ✓" : " ✗"));
            }
            if (all) ok++;
            if (one) any++;
        }
        Verdict v = ok == ws.size() ? Verdict.REPRODUCED : any > 0 ? Verdict.PARTIALLY : Verdict.NOT_REPRODUCED;
        return new Check(name, source, claim, v, b.toString().trim());
    }

    private static double knobFinal(BenchmarkResult r, String o, String w, double knob) {
        long seed = r.rows(o, w).stream().mapToLong(BenchRow::seed).min().orElse(0);
        return r.rows(o, w).stream().filter(x -> x.seed() == seed && x.knobValue() != null && x.knobValue() == knob && !x.diverged() && x.finalMetric() != null)
                .mapToDouble(BenchRow::finalMetric).findFirst().orElse(Double.NaN);
    }

    static Check scheduleFree(BenchmarkResult r) {
        String name = "schedule-free-vs-cosine", source = "Schedule-Free, arXiv 2405.15682";
        String claim = "Schedule-Free AdamW (defaults, no schedule) ends at least as good as AdamW with a tuned cosine schedule (within 1%)";
        List<String> ws = common(r, "sf-adamw", "adamw-cosine-tuned");
        if (ws.isEmpty()) return new Check(name, source, claim, Verdict.NOT_RUN, notRun("sf-adamw", "adamw-cosine-tuned"));
        int ok = 0;
        StringBuilder b = new StringBuilder();
        for (String w : ws) {
            Metric m = r.metric(w);
            double a = finalMetric(r, "sf-adamw", w), t = finalMetric(r, "adamw-cosine-tuned", w), g = gap(m, a, t);
            boolean pass = !Double.isNaN(g) && g <= TIE;
            if (pass) ok++;
            b.append(String.format(Locale.ROOT, "%s: %s sf-adamw %s vs cosine %s (gap %s) %s; ", w, m, f(a), f(t), pct(g), pass ? "✓" : "✗"));
        }
        return new Check(name, source, claim, verdict(ok, ws.size()), b.toString().trim());
    }
}
