package org.tuneless.run;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.ToDoubleFunction;

/**
 * Early-stopping sweeps over run specs: successive halving in its asynchronous form, <b>ASHA</b> (Li et al. 2020,
 * "A System for Massively Parallel Hyperparameter Tuning", arXiv 1810.05934, Algorithm 2), and <b>Hyperband</b> (Li et al.
 * 2017, arXiv 1603.06560, Algorithm 1) — the resource is training steps.
 *
 * <p>Rungs: rung k trains for {@code minSteps · η^k} steps (the last rung for {@code maxSteps}). ASHA starts every
 * configuration at rung 0 and, whenever a worker is free, promotes a configuration from the highest rung where one is in
 * the top 1/η of that rung's finished results and not yet promoted; otherwise it starts the next configuration. A
 * promoted configuration is run again from the start with the larger budget (runs are deterministic, so its first steps
 * are those of the lower rung; restarting keeps trials independent of a shared file system, at the cost of ≤ 1/(η−1)
 * more steps than resuming). Configurations that never reach the top rung are <b>stopped</b> early.
 */
public final class EarlyStopping {

    private EarlyStopping() {}

    /** One rung of a bracket: its index, the steps a trial trains there and how many trials run there. */
    public record Rung(int index, long steps, int trials) {}

    /** A Hyperband bracket s: its rungs (n_i configurations trained r_i steps each). */
    public record Bracket(int s, List<Rung> rungs) {}

    /**
     * A finished trial of the sweep: the configuration, the rung, the steps it ran, the value compared, the result and the
     * Hyperband bracket s ({@link #NO_BRACKET} for ASHA).
     */
    public record Outcome(int configuration, int rung, long steps, double value, TrialResult result, int bracket) {
        public Outcome(int configuration, int rung, long steps, double value, TrialResult result) {
            this(configuration, rung, steps, value, result, NO_BRACKET);
        }
    }

    /** {@link Outcome#bracket()} of an ASHA trial. */
    public static final int NO_BRACKET = -1;

    /** Names a trial of configuration {@code configuration} at rung {@code rung} of bracket {@code bracket} (NO_BRACKET for ASHA). */
    @FunctionalInterface
    public interface TrialIds {
        String id(int bracket, int configuration, int rung);

        TrialIds DEFAULT = (b, c, k) -> (b == NO_BRACKET ? "" : "bracket=" + b + "/") + "config=" + c + "/rung=" + k;
    }

    /**
     * The result: every trial run (in completion order), and per configuration the highest rung it reached, its value
     * there and whether it was stopped early (did not reach the top rung).
     */
    public record Result(List<Outcome> trials, Map<Integer, Outcome> best, int topRung) {
        /** Steps trained over all trials: the cost. */
        public long totalSteps() { return trials.stream().mapToLong(Outcome::steps).sum(); }

        /** Whether {@code configuration} stopped below the top rung. */
        public boolean stopped(int configuration) { return best.get(configuration).rung() < topRung; }

        /** The configuration with the best (lowest) value at the top rung, or at the highest rung reached. */
        public int winner() {
            return best.values().stream().sorted(Comparator.comparingInt((Outcome o) -> -o.rung()).thenComparingDouble(o -> sortable(o.value())))
                    .findFirst().orElseThrow().configuration();
        }
    }

    /** The rung budgets minSteps·η^k, k = 0, 1, …, the last one {@code maxSteps}. */
    public static List<Long> rungSteps(long minSteps, long maxSteps, int eta) {
        check(minSteps, maxSteps, eta);
        List<Long> out = new ArrayList<>();
        for (long r = minSteps; r < maxSteps; r *= eta) out.add(r);
        out.add(maxSteps);
        return out;
    }

    /**
     * Hyperband's brackets for a maximum of {@code maxSteps} steps per configuration, at least {@code minSteps}, factor
     * η: s_max = ⌊log_η(R/r_min)⌋ and, for s = s_max … 0, n = ⌈(s_max+1)/(s+1) · η^s⌉ configurations at r = R·η^−s
     * steps, successively halved (the top ⌊n_i/η⌋ go on with η times the steps). R = 81, η = 3, r_min = 1 gives the
     * paper's Table 1.
     */
    public static List<Bracket> hyperband(long maxSteps, long minSteps, int eta) {
        check(minSteps, maxSteps, eta);
        int sMax = 0;
        while (pow(eta, sMax + 1) * minSteps <= maxSteps) sMax++;
        List<Bracket> out = new ArrayList<>();
        for (int s = sMax; s >= 0; s--) {
            long n = (long) Math.ceil((double) (sMax + 1) / (s + 1) * pow(eta, s));
            List<Rung> rungs = new ArrayList<>();
            for (int i = 0; i <= s; i++) {
                long ni = (long) Math.floor(n / (double) pow(eta, i));
                long ri = Math.round(maxSteps / (double) pow(eta, s - i));
                rungs.add(new Rung(i, ri, (int) ni));
            }
            out.add(new Bracket(s, rungs));
        }
        return out;
    }

    /**
     * ASHA over {@code configurations} (run specs at any step count; each trial's steps are set by its rung), with at most
     * {@code workers} trials in flight on {@code executor}. {@code value} reads the number compared (lower is better;
     * NaN, a diverged or a failed trial rank last) from a trial's result, e.g. {@link #lastTestLoss}.
     */
    public static Result asha(List<RunSpec> configurations, TrialExecutor executor, int workers, long minSteps, long maxSteps, int eta,
                              ToDoubleFunction<TrialResult> value) throws InterruptedException {
        return asha(configurations, executor, workers, minSteps, maxSteps, eta, value, TrialIds.DEFAULT, null);
    }

    /**
     * ASHA as above, naming trials with {@code ids} (ids must be stable across processes for a sweep to resume) and
     * reporting each finished trial to {@code onOutcome} (null = nobody) as it arrives, on the calling thread.
     */
    public static Result asha(List<RunSpec> configurations, TrialExecutor executor, int workers, long minSteps, long maxSteps, int eta,
                              ToDoubleFunction<TrialResult> value, TrialIds ids, java.util.function.Consumer<Outcome> onOutcome) throws InterruptedException {
        if (configurations.isEmpty()) throw new IllegalArgumentException("asha: no configurations to try");
        if (workers < 1) throw new IllegalArgumentException("asha: workers = " + workers + " must be ≥ 1");
        List<Long> budgets = rungSteps(minSteps, maxSteps, eta);
        int top = budgets.size() - 1;
        List<List<Outcome>> rungs = new ArrayList<>();
        List<Set<Integer>> promoted = new ArrayList<>();
        for (int k = 0; k <= top; k++) {
            rungs.add(new ArrayList<>());
            promoted.add(new HashSet<>());
        }
        LinkedBlockingQueue<Object> finished = new LinkedBlockingQueue<>();
        List<Outcome> all = new ArrayList<>();
        Map<Integer, Outcome> best = new LinkedHashMap<>();
        List<TrialExecutor.Execution> running = new ArrayList<>();
        int next = 0, inFlight = 0;
        try {
            while (true) {
                while (inFlight < workers) {
                    int[] job = nextJob(rungs, promoted, eta, next, configurations.size(), inFlight);
                    if (job == null) break;
                    if (job[1] == 0) next++;
                    else promoted.get(job[1] - 1).add(job[0]);
                    int c = job[0], k = job[1];
                    Trial t = new Trial(ids.id(NO_BRACKET, c, k), configurations.get(c).withSteps(budgets.get(k)));
                    running.add(executor.start(List.of(t), r -> finished.add(new Object[]{c, k, r})));
                    inFlight++;
                }
                if (inFlight == 0) break;
                Object[] done = (Object[]) finished.take();
                inFlight--;
                int c = (Integer) done[0], k = (Integer) done[1];
                TrialResult r = (TrialResult) done[2];
                Outcome o = new Outcome(c, k, r.steps(), usable(r) ? value.applyAsDouble(r) : Double.NaN, r);
                all.add(o);
                rungs.get(k).add(o);
                best.merge(c, o, (a, b) -> b.rung() >= a.rung() ? b : a);
                if (onOutcome != null) onOutcome.accept(o);
            }
        } catch (InterruptedException e) {
            running.forEach(TrialExecutor.Execution::cancel);
            throw e;
        }
        Map<Integer, Outcome> byConfig = new LinkedHashMap<>();
        for (int c = 0; c < configurations.size(); c++) if (best.containsKey(c)) byConfig.put(c, best.get(c));
        return new Result(all, byConfig, top);
    }

    /** What a Hyperband run did: every trial, and each bracket's configurations (indices into the list given). */
    public record HyperbandResult(List<Outcome> trials, List<List<Integer>> brackets, List<Bracket> plan) {
        /** Steps trained over all trials: the cost. */
        public long totalSteps() { return trials.stream().mapToLong(Outcome::steps).sum(); }

        /** The trial with the best (lowest, finite) value among those trained for the full budget (the top rung of a bracket). */
        public java.util.Optional<Outcome> winner() {
            long top = plan.get(0).rungs().get(plan.get(0).rungs().size() - 1).steps();
            return trials.stream().filter(o -> o.steps() == top && Double.isFinite(o.value())).min(Comparator.comparingDouble(Outcome::value));
        }

        /** Whether the trial {@code o} was the last one of its configuration in its bracket below the bracket's top rung. */
        public boolean stopped(Outcome o) {
            Bracket b = plan.stream().filter(x -> x.s() == o.bracket()).findFirst().orElseThrow();
            if (o.rung() == b.rungs().size() - 1) return false;
            return trials.stream().noneMatch(x -> x.bracket() == o.bracket() && x.configuration() == o.configuration() && x.rung() > o.rung());
        }
    }

    /**
     * Hyperband (Li et al. 2017, arXiv 1603.06560, Algorithm 1) over {@code configurations}, each trained up to
     * {@code maxSteps}: for each bracket of {@link #hyperband(long, long, int)} (s = s_max … 0) the next n configurations
     * of the list (cycling through it when the brackets need more than it has) run successive halving — all n_i at
     * r_i steps, then the best ⌊n_i/η⌋ (finite values only, lower is better) go on with η times the steps. Brackets
     * run one after the other; within a rung, up to {@code workers} trials run at once on {@code executor}. A
     * configuration that stops below its bracket's top rung is stopped early.
     */
    public static HyperbandResult hyperband(List<RunSpec> configurations, TrialExecutor executor, int workers, long minSteps, long maxSteps, int eta,
                                            ToDoubleFunction<TrialResult> value, TrialIds ids, java.util.function.Consumer<Outcome> onOutcome)
            throws InterruptedException {
        if (configurations.isEmpty()) throw new IllegalArgumentException("hyperband: no configurations to try");
        if (workers < 1) throw new IllegalArgumentException("hyperband: workers = " + workers + " must be ≥ 1");
        List<Bracket> plan = hyperband(maxSteps, minSteps, eta);
        List<Outcome> all = new ArrayList<>();
        List<List<Integer>> chosen = new ArrayList<>();
        int next = 0;
        for (Bracket b : plan) {
            List<Integer> current = new ArrayList<>();
            for (int i = 0; i < b.rungs().get(0).trials(); i++) current.add(next++ % configurations.size());
            chosen.add(List.copyOf(current));
            for (Rung rung : b.rungs()) {
                List<Trial> trials = new ArrayList<>();
                Map<String, Integer> configOf = new LinkedHashMap<>();
                for (int c : current) {
                    String id = ids.id(b.s(), c, rung.index());
                    if (configOf.containsKey(id)) continue;  // a configuration drawn twice in one bracket (a short list) runs once
                    configOf.put(id, c);
                    trials.add(new Trial(id, configurations.get(c).withSteps(rung.steps())));
                }
                List<Outcome> done = new ArrayList<>();
                LinkedBlockingQueue<TrialResult> finished = new LinkedBlockingQueue<>();
                List<TrialExecutor.Execution> running = new ArrayList<>();
                int started = 0;
                try {
                    while (done.size() < trials.size()) {
                        while (started < trials.size() && started - done.size() < workers) {
                            running.add(executor.start(List.of(trials.get(started++)), finished::add));
                        }
                        TrialResult r = finished.take();
                        int c = configOf.get(r.id());
                        done.add(new Outcome(c, rung.index(), r.steps(), usable(r) ? value.applyAsDouble(r) : Double.NaN, r, b.s()));
                    }
                } catch (InterruptedException ex) {
                    running.forEach(TrialExecutor.Execution::cancel);
                    throw ex;
                }
                // report in the rung's trial order, whatever the completion order: the same sweep gives the same record
                List<String> order = trials.stream().map(Trial::id).toList();
                done.sort(Comparator.comparingInt(o -> order.indexOf(o.result().id())));
                for (Outcome o : done) {
                    all.add(o);
                    if (onOutcome != null) onOutcome.accept(o);
                }
                if (rung.index() == b.rungs().size() - 1) break;
                int keep = rung.trials() / eta;
                current = done.stream().filter(o -> Double.isFinite(o.value()))
                        .sorted(Comparator.comparingDouble(Outcome::value).thenComparingInt(Outcome::configuration))
                        .limit(keep).map(Outcome::configuration).toList();
                if (current.isEmpty()) break;
            }
        }
        return new HyperbandResult(all, chosen, plan);
    }

    /**
     * {configuration, rung} of the next trial, or null: promote from the highest rung possible, else start a new one.
     * A finite sweep can run out of configurations before any reaches the top rung (fewer than η^k per rung): then, with
     * nothing in flight, the best unpromoted configuration of the highest rung with results goes on (as a percentile
     * cutoff does with few results), so that the sweep always ends with a configuration trained to the full budget.
     */
    static int[] nextJob(List<List<Outcome>> rungs, List<Set<Integer>> promoted, int eta, int next, int count, int inFlight) {
        for (int k = rungs.size() - 2; k >= 0; k--) {
            List<Outcome> done = new ArrayList<>(rungs.get(k));
            done.sort(Comparator.comparingDouble(o -> sortable(o.value())));
            int keep = done.size() / eta;
            for (int i = 0; i < keep; i++) {
                Outcome o = done.get(i);
                if (Double.isFinite(o.value()) && !promoted.get(k).contains(o.configuration())) return new int[]{o.configuration(), k + 1};
            }
        }
        if (next < count) return new int[]{next, 0};
        int top = rungs.size() - 1;
        if (inFlight > 0 || !rungs.get(top).isEmpty()) return null;
        for (int k = top - 1; k >= 0; k--) {
            Outcome best = null;
            for (Outcome o : rungs.get(k)) {
                if (!Double.isFinite(o.value()) || promoted.get(k).contains(o.configuration())) continue;
                if (best == null || o.value() < best.value()) best = o;
            }
            if (best != null) return new int[]{best.configuration(), k + 1};
            if (!rungs.get(k).isEmpty()) break;  // this rung's candidates are promoted or unusable: wait for nothing
        }
        return null;
    }

    /** The loss of the last evaluation on the test split, else the final training loss. */
    public static double lastTestLoss(TrialResult r) {
        for (int i = r.evaluations().size() - 1; i >= 0; i--) {
            if (r.evaluations().get(i).split().equals("test")) return r.evaluations().get(i).loss();
        }
        return r.finalLoss();
    }

    private static boolean usable(TrialResult r) { return r.status().equals("COMPLETED"); }

    private static double sortable(double v) { return Double.isFinite(v) ? v : Double.POSITIVE_INFINITY; }

    private static long pow(int eta, int k) {
        long p = 1;
        for (int i = 0; i < k; i++) p *= eta;
        return p;
    }

    private static void check(long minSteps, long maxSteps, int eta) {
        if (eta < 2) throw new IllegalArgumentException("reduction factor η = " + eta + " must be ≥ 2 (3 is the usual choice)");
        if (minSteps < 1 || maxSteps < minSteps) {
            throw new IllegalArgumentException("steps: need 1 ≤ minSteps ≤ maxSteps, got minSteps = " + minSteps + ", maxSteps = " + maxSteps);
        }
    }
}
