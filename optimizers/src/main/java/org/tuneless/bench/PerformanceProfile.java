package org.tuneless.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AlgoPerf performance profiles (Dahl et al. 2023, arXiv 2306.07179, §4.5, after Dolan &amp; Moré 2002). For
 * submissions s and workloads w with time-to-target t(s, w) (+∞ when the target was not reached), the performance ratio
 * is r(s, w) = t(s, w) / min over s' of t(s', w), and the profile is the fraction of workloads within a factor τ of the
 * fastest: ρ_s(τ) = |{w : r(s, w) ≤ τ}| / n. The score is the normalized area under the profile from τ = 1 to
 * τ_max: B_s = (1/(τ_max − 1)) ∫_1^τ_max ρ_s(τ) dτ, with AlgoPerf's τ_max = 4; 1 means fastest everywhere, 0 means
 * never within 4× of the fastest. A workload no submission solved has no finite ratio: it is left out of n (and
 * listed in {@link #unsolved()}). ρ is a right-continuous step function; the area is computed exactly:
 * each workload with r ≤ τ_max adds (τ_max − r)/((τ_max − 1)·n).
 */
public record PerformanceProfile(List<String> submissions, List<String> workloads, Map<String, Map<String, Double>> ratios,
                                 List<String> unsolved, double tauMax) {

    public static final double ALGOPERF_TAU_MAX = 4.0;

    /** The profile of {@code times} (submission → workload → seconds or steps; +∞ or absent = not reached). */
    public static PerformanceProfile of(Map<String, Map<String, Double>> times, List<String> workloads, double tauMax) {
        if (!(tauMax > 1)) throw new IllegalArgumentException("tauMax = " + tauMax + " must be > 1");
        List<String> solved = new ArrayList<>(), unsolved = new ArrayList<>();
        Map<String, Double> best = new LinkedHashMap<>();
        for (String w : workloads) {
            double m = Double.POSITIVE_INFINITY;
            for (Map<String, Double> t : times.values()) {
                Double v = t.get(w);
                if (v != null && v >= 0 && v < m) m = v;
            }
            if (Double.isFinite(m)) {
                solved.add(w);
                best.put(w, m);
            } else unsolved.add(w);
        }
        Map<String, Map<String, Double>> ratios = new LinkedHashMap<>();
        for (var e : times.entrySet()) {
            Map<String, Double> r = new LinkedHashMap<>();
            for (String w : solved) {
                Double v = e.getValue().get(w);
                double t = v == null || v.isNaN() ? Double.POSITIVE_INFINITY : v;
                double b = best.get(w);
                r.put(w, b == 0 ? (t == 0 ? 1.0 : Double.POSITIVE_INFINITY) : Math.max(1.0, t / b));
            }
            ratios.put(e.getKey(), r);
        }
        return new PerformanceProfile(List.copyOf(times.keySet()), solved, ratios, unsolved, tauMax);
    }

    /** ρ_s(τ): the fraction of (solved) workloads where s is within a factor τ of the fastest. */
    public double rho(String submission, double tau) {
        if (workloads.isEmpty()) return 0;
        int k = 0;
        for (double r : ratios.get(submission).values()) if (r <= tau) k++;
        return (double) k / workloads.size();
    }

    /** The score B_s = (1/(τ_max − 1)) ∫_1^τ_max ρ_s(τ) dτ, exact for the step function. */
    public double area(String submission) {
        if (workloads.isEmpty()) return 0;
        double sum = 0;
        for (double r : ratios.get(submission).values()) if (r <= tauMax) sum += (tauMax - r) / (tauMax - 1);
        return sum / workloads.size();
    }

    /** ρ_s on {@code points} τ values evenly spaced in [1, τ_max] (for plots). */
    public double[][] curve(String submission, int points) {
        double[][] out = new double[points][2];
        for (int i = 0; i < points; i++) {
            double tau = 1 + (tauMax - 1) * i / (points - 1);
            out[i][0] = tau;
            out[i][1] = rho(submission, tau);
        }
        return out;
    }
}
