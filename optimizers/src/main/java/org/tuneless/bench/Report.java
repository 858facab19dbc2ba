package org.tuneless.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** leaderboard.md: scores and time to target per ruleset, sensitivity and tuning cost, claim verdicts, divergences. */
public final class Report {

    private Report() {}

    public static String leaderboard(BenchmarkResult r) {
        StringBuilder b = new StringBuilder();
        b.append("# Leaderboard").append(r.suite().isEmpty() ? "" : " — suite " + r.suite()).append("\n\n");
        b.append(String.format(Locale.ROOT, "%d runs, %d optimizers, %d workloads. Score = AlgoPerf performance-profile area "
                + "(1/(τmax−1))∫₁^τmax ρ(τ)dτ, τmax = 4, over the median wall time to target (arXiv 2306.07179); 1 = fastest on every workload. "
                + "Cells: median time to target / steps to target (seeds that reached it).%n%n", r.rows().size(), r.optimizers().size(), r.workloads().size()));
        b.append("| workload | metric | target |\n|---|---|---|\n");
        for (String w : r.workloads()) b.append("| ").append(w).append(" | ").append(r.metric(w)).append(" | ").append(num(r.target(w))).append(" |\n");
        for (Ruleset rule : Ruleset.values()) {
            List<String> os = r.optimizers(rule);
            if (os.isEmpty()) continue;
            b.append("\n## ").append(rule == Ruleset.SELF_TUNING ? "Self-tuning (defaults, no tuning)" : "External tuning (best grid point)").append("\n\n");
            table(b, r, os, r.profile(rule));
        }
        if (r.optimizers(Ruleset.SELF_TUNING).size() > 0 && r.optimizers(Ruleset.EXTERNAL_TUNING).size() > 0) {
            b.append("\n## All optimizers on one profile (self-tuned against tuned)\n\n");
            PerformanceProfile all = r.profile(null), steps = r.profile(null, true);
            b.append("| optimizer | ruleset | score (wall time) | score (steps) |\n|---|---|---|---|\n");
            List<String> os = new ArrayList<>(r.optimizers());
            os.sort(Comparator.comparingDouble(o -> -all.area(o)));
            for (String o : os) {
                b.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f |%n", o, r.ruleset(o).label(), all.area(o), steps.area(o)));
            }
            if (!all.unsolved().isEmpty()) b.append("\nNo optimizer reached the target on: ").append(String.join(", ", all.unsolved())).append(".\n");
        }
        List<String> ext = r.optimizers(Ruleset.EXTERNAL_TUNING);
        if (!ext.isEmpty()) {
            b.append("\n## Sensitivity and tuning cost (external tuning, first seed)\n\n");
            b.append("Sensitivity: the width, in decades of the knob, of the contiguous grid range around the best point whose final metric is within 10% of the best. "
                    + "Cost: trials × time.\n\n");
            b.append("| optimizer | workload | knob | best value | final metric (best / median trial) | decades within 10% | trials | cost (s) |\n|---|---|---|---|---|---|---|---|\n");
            for (String o : ext) {
                for (String w : r.workloads()) {
                    r.cell(o, w).ifPresent(c -> {
                        String knob = r.rows(o, w).get(0).knob();
                        b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s / %s | %s | %d | %.0f |%n", o, w, knob, num(c.bestKnob()),
                                num(Claims.finalMetric(r, o, w)), num(c.medianTrialMetric()), num(c.sensitivityDecades()), c.tuningTrials(), c.tuningSeconds()));
                    });
                }
            }
        }
        b.append("\n## Claims\n\n| check | source | verdict | claim | numbers |\n|---|---|---|---|---|\n");
        for (Claims.Check c : r.claims()) {
            b.append("| ").append(c.name()).append(" | ").append(c.source()).append(" | **").append(c.verdict().label()).append("** | ")
                    .append(c.claim()).append(" | ").append(c.numbers().replace("|", "\\|")).append(" |\n");
        }
        List<BenchRow> bad = r.rows().stream().filter(x -> x.diverged() || x.failed()).toList();
        b.append("\n## Diverged and failed runs\n\n");
        if (bad.isEmpty()) b.append("None.\n");
        else {
            b.append("| run | status | steps | message |\n|---|---|---|---|\n");
            for (BenchRow x : bad) b.append("| ").append(x.trial()).append(" | ").append(x.status()).append(" | ").append(x.steps()).append(" | ")
                    .append(x.message().replace("|", "\\|").replace("\n", " ")).append(" |\n");
        }
        return b.toString();
    }

    private static void table(StringBuilder b, BenchmarkResult r, List<String> os, PerformanceProfile p) {
        List<String> ws = r.workloads();
        b.append("| optimizer | score | reached |");
        for (String w : ws) b.append(' ').append(w).append(" |");
        b.append("\n|---|---|---|");
        b.append("---|".repeat(ws.size())).append('\n');
        List<String> sorted = new ArrayList<>(os);
        sorted.sort(Comparator.comparingDouble(o -> -p.area(o)));
        for (String o : sorted) {
            int reached = 0, n = 0;
            StringBuilder cells = new StringBuilder();
            for (String w : ws) {
                var c = r.cell(o, w);
                if (c.isEmpty()) { cells.append(" — |"); continue; }
                n++;
                var x = c.get();
                if (Double.isFinite(x.timeToTarget())) reached++;
                cells.append(' ').append(cell(x)).append(" |");
            }
            b.append(String.format(Locale.ROOT, "| %s | %.3f | %d/%d |", o, p.area(o), reached, n)).append(cells).append('\n');
        }
        if (!p.unsolved().isEmpty()) b.append("\nNot reached by any optimizer of this ruleset (left out of the score): ").append(String.join(", ", p.unsolved())).append(".\n");
    }

    static String cell(BenchmarkResult.Cell c) {
        String knob = c.bestKnob() == null ? "" : " @" + num(c.bestKnob());
        if (Double.isFinite(c.timeToTarget())) {
            return String.format(Locale.ROOT, "%.1f s / %.0f (%d/%d)%s", c.timeToTarget(), c.stepsToTarget(), c.reached(), c.seeds(), knob);
        }
        if (c.diverged() > 0 && Double.isNaN(c.finalMetric())) return "diverged" + knob;
        return "✗ " + num(c.finalMetric()) + (c.reached() > 0 ? " (" + c.reached() + "/" + c.seeds() + ")" : "") + knob;
    }

    static String num(Double v) {
        if (v == null || v.isNaN()) return "—";
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-3 || a >= 1e4)) return String.format(Locale.ROOT, "%.2g", v);
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
