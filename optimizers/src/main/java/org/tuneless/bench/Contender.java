package org.tuneless.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.tuneless.catalog.Component;
import org.tuneless.optim.Optimizers;
import org.tuneless.run.Catalogs;

/**
 * An optimizer entered in the benchmark: a name (its row in the leaderboard), the ruleset, the optimizer spec, a
 * learning-rate schedule (empty = constant) and, for external tuning, the knob (a parameter of the optimizer spec)
 * and its grid. A self-tuning contender has no knob. {@code tracking}: curvature trackers its runs carry (empty for the
 * leaderboard's contenders; the edge-of-stability claim's line search and greedy rule track η·λmax).
 */
public record Contender(String name, Ruleset ruleset, Component optimizer, List<Component> schedule, String knob, List<Double> grid,
                        List<Component> tracking) {

    public Contender {
        tracking = tracking == null ? List.of() : List.copyOf(tracking);
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._:=,+@/-]*")) throw new IllegalArgumentException("contender name '" + name + "' is empty or has spaces");
        schedule = schedule == null ? List.of() : List.copyOf(schedule);
        grid = grid == null ? List.of() : List.copyOf(grid);
        if (ruleset == Ruleset.EXTERNAL_TUNING) {
            if (knob == null || grid.isEmpty()) throw new IllegalArgumentException(name + ": an external-tuning contender needs a knob and a grid");
            if (optimizer.get(knob) == null) {
                throw new IllegalArgumentException(name + ": optimizer " + optimizer.name() + " has no parameter '" + knob + "'; its parameters: " + optimizer.params().keySet());
            }
            for (double v : grid) with(optimizer, knob, v);  // every grid point is valid
        } else if (knob != null || !grid.isEmpty()) {
            throw new IllegalArgumentException(name + ": a self-tuning contender has no knob or grid");
        }
    }

    public static Contender self(String name, Component optimizer) { return new Contender(name, Ruleset.SELF_TUNING, optimizer, List.of(), null, List.of(), List.of()); }

    public static Contender tuned(String name, Component optimizer, String knob, List<Double> grid) {
        return new Contender(name, Ruleset.EXTERNAL_TUNING, optimizer, List.of(), knob, grid, List.of());
    }

    public Contender withSchedule(List<Component> s) { return new Contender(name, ruleset, optimizer, s, knob, grid, tracking); }

    public Contender withGrid(List<Double> g) { return new Contender(name, ruleset, optimizer, schedule, knob, g, tracking); }

    /** The same contender with curvature tracking in its runs (its time to target then includes the measurements). */
    public Contender withTracking(List<Component> t) { return new Contender(name, ruleset, optimizer, schedule, knob, grid, t); }

    /** The optimizer spec at each grid point (one entry, the spec itself, for self-tuning). */
    public List<Component> configurations() {
        if (ruleset == Ruleset.SELF_TUNING) return List.of(optimizer);
        List<Component> out = new ArrayList<>();
        for (double v : grid) out.add(with(optimizer, knob, v));
        return out;
    }

    /** {@code c} with parameter {@code key} set to {@code value}, validated by the catalog. */
    static Component with(Component c, String key, double value) {
        Map<String, Object> p = new LinkedHashMap<>(c.params());
        p.put(key, value);
        return Optimizers.CATALOG.spec(c.name(), p);
    }

    /** {@code n} log-spaced values from {@code from} to {@code to} inclusive. */
    public static List<Double> logGrid(double from, double to, int n) {
        if (!(from > 0) || !(to > from) || n < 2) throw new IllegalArgumentException("logGrid(" + from + ", " + to + ", " + n + "): need 0 < from < to and n ≥ 2");
        List<Double> out = new ArrayList<>();
        double a = Math.log10(from), b = Math.log10(to);
        for (int i = 0; i < n; i++) out.add(Double.parseDouble(String.format(java.util.Locale.ROOT, "%.6g", Math.pow(10, a + (b - a) * i / (n - 1)))));
        return out;
    }

    /** The schedule catalog's spec of {@code name}, for {@link #withSchedule}. */
    static Component schedule(String name) { return org.tuneless.optim.schedule.Schedules.CATALOG.spec(name); }

    @Override public String toString() {
        return name + " (" + ruleset.label() + (knob == null ? "" : ", " + knob + " ∈ " + grid) + ")";
    }

    static { Catalogs.MODELS.kind(); }  // the catalogs are registered before a spec is built
}
