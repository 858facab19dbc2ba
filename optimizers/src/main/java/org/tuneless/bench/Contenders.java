package org.tuneless.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.tuneless.catalog.Component;
import org.tuneless.optim.Optimizers;
import org.tuneless.run.SpecText;

/**
 * The named contenders of the benchmark (the names {@code ./tuneless bench --optimizers} takes) and the parser of
 * contender text. Grids: learning rates of the baselines over 7 log-spaced values, one every half decade; ECCO's η over
 * 0.1–100 (the range of arXiv 2310.13901's insensitivity claim), with the official 0.5 step cap and without it; CDAT's σ
 * over 0.5–4 (arXiv 2407.06183 compares σ = 1 and 2); Prodigy's and D-Adapt's d0 and DoG's r_ε over 5 decades.
 */
public final class Contenders {

    private Contenders() {}

    /** The learning rates of tuned Adam/AdamW: 1e-4 … 1e-1, one every half decade (7 values). */
    public static final List<Double> ADAM_LRS = Contender.logGrid(1e-4, 1e-1, 7);
    /** The learning rates of tuned SGD and momentum: 1e-3 … 1 (7 values). */
    public static final List<Double> SGD_LRS = Contender.logGrid(1e-3, 1, 7);

    /** Steps between η·λmax measurements of the edge presets. */
    public static final int EDGE_EVERY = 5;

    /** The edge-of-stability claim's contenders: run them on full-batch workloads ({@code --workloads teacher-student}). */
    public static final List<String> EDGE = List.of("linesearch-edge", "greedy-edge", "cdat-edge");

    private static final Map<String, String> DESCRIPTIONS = new LinkedHashMap<>();
    private static final Map<String, java.util.function.Supplier<Contender>> PRESETS = new LinkedHashMap<>();

    private static void preset(String name, String description, java.util.function.Supplier<Contender> c) {
        PRESETS.put(name, c);
        DESCRIPTIONS.put(name, description);
    }

    private static Component opt(String name, Map<String, ?> values) { return Optimizers.CATALOG.spec(name, values); }

    private static Component opt(String name) { return Optimizers.CATALOG.spec(name); }

    private static Component withBase(String name, String base) {
        return Optimizers.CATALOG.parse(name, Map.of("base", base));
    }

    static {
        preset("adam", "Adam at its defaults (lr 1e-3): the untuned baseline", () -> Contender.self("adam", opt("adam")));
        preset("adam-tuned", "Adam, lr over 1e-4 … 1e-1 (7 values)", () -> Contender.tuned("adam-tuned", opt("adam"), "lr", ADAM_LRS));
        preset("momentum-tuned", "SGD + heavy-ball momentum 0.9, lr over 1e-3 … 1 (7 values)", () -> Contender.tuned("momentum-tuned", opt("momentum"), "lr", SGD_LRS));
        preset("sgd-tuned", "SGD, lr over 1e-3 … 1 (7 values)", () -> Contender.tuned("sgd-tuned", opt("sgd"), "lr", SGD_LRS));
        preset("adamw-cosine-tuned", "AdamW (weight decay 0.01) with cosine decay to 0, lr over 1e-4 … 1e-1 (7 values)",
                () -> Contender.tuned("adamw-cosine-tuned", opt("adamw"), "lr", ADAM_LRS).withSchedule(List.of(Contender.schedule("cosine"))));
        preset("prodigy", "Prodigy (arXiv 2306.06101) at its defaults", () -> Contender.self("prodigy", opt("prodigy")));
        preset("prodigy-d0", "Prodigy, d0 over 1e-8 … 1e-4 (5 values)", () -> Contender.tuned("prodigy-d0", opt("prodigy"), "d0", Contender.logGrid(1e-8, 1e-4, 5)));
        preset("sf-adamw", "Schedule-Free AdamW (arXiv 2405.15682) at its defaults (lr 0.0025)", () -> Contender.self("sf-adamw", opt("sf-adamw")));
        preset("dog", "DoG (arXiv 2302.12022) at its defaults", () -> Contender.self("dog", opt("dog")));
        preset("dadapt-adam", "D-Adaptation Adam (arXiv 2301.07733) at its defaults", () -> Contender.self("dadapt-adam", opt("dadapt-adam")));
        preset("mechanic", "Mechanic (arXiv 2306.00144) on an Adam base at its defaults", () -> Contender.self("mechanic", withBase("mechanic", "adam")));
        preset("agd", "AGD (arXiv 2304.05187): no hyperparameters", () -> Contender.self("agd", opt("agd")));
        preset("ecco", "ECCO-DNN (arXiv 2310.13901) at η = 0.3, step cap 0.5", () -> Contender.self("ecco", opt("ecco")));
        preset("ecco-eta", "ECCO-DNN, η over 0.1 … 100 (4 values), official 0.5 step cap",
                () -> Contender.tuned("ecco-eta", opt("ecco"), "eta", List.of(0.1, 1.0, 10.0, 100.0)));
        preset("ecco-eta-nocap", "ECCO-DNN, η over 0.1 … 100 (4 values), no step cap (LTE control alone)",
                () -> Contender.tuned("ecco-eta-nocap", opt("ecco", Map.of("stepCap", 0.0)), "eta", List.of(0.1, 1.0, 10.0, 100.0)));
        preset("cdat", "CDAT (arXiv 2407.06183) on an Adam base, σ = 2", () -> Contender.self("cdat", withBase("cdat", "adam")));
        preset("cdat-scale", "CDAT on an Adam base, σ ∈ {0.5, 1, 2, 4}",
                () -> Contender.tuned("cdat-scale", withBase("cdat", "adam"), "scale", List.of(0.5, 1.0, 2.0, 4.0)));
        // the classical tuners of the CDAT paper with η·λmax measured (edge-of-stability claim; meant for full-batch workloads)
        preset("linesearch-edge", "Armijo line search on GD (arXiv 2407.06183 eq. 1) at its defaults, η·λmax tracked every " + EDGE_EVERY + " steps",
                () -> Contender.self("linesearch-edge", opt("linesearch")).withTracking(SpecText.track("sharpness:every=" + EDGE_EVERY)));
        preset("greedy-edge", "quadratically greedy step on GD (CDAT σ = 1), η·λmax tracked every " + EDGE_EVERY + " steps",
                () -> Contender.self("greedy-edge", opt("greedy")).withTracking(SpecText.track("sharpness:every=" + EDGE_EVERY)));
        preset("cdat-edge", "CDAT σ = 2 on GD, η·λmax tracked every " + EDGE_EVERY + " steps (the contrast of the edge claim)",
                () -> Contender.self("cdat-edge", opt("cdat")).withTracking(SpecText.track("sharpness:every=" + EDGE_EVERY)));
    }


    /** The preset names with a one-line description each. */
    public static Map<String, String> descriptions() { return java.util.Collections.unmodifiableMap(DESCRIPTIONS); }

    /** The contenders of the "done means" list (with the ECCO and CDAT claim grids). */
    public static final List<String> STANDARD = List.of("adam", "adam-tuned", "momentum-tuned", "adamw-cosine-tuned", "prodigy", "sf-adamw",
            "dog", "dadapt-adam", "mechanic", "agd", "ecco", "cdat", "ecco-eta", "ecco-eta-nocap", "cdat-scale");

    /**
     * A contender from text: a preset name ({@link #descriptions()}), or any catalog optimizer {@code NAME[:key=value,…]}
     * (self-tuning at those values), or {@code NAME[:key=value,…]@KNOB=v1/v2/…} (external tuning over the listed values).
     */
    public static Contender parse(String text) {
        String t = text.trim();
        if (PRESETS.containsKey(t)) return PRESETS.get(t).get();
        int at = t.indexOf('@');
        String base = at < 0 ? t : t.substring(0, at);
        Component c;
        try {
            c = SpecText.optimizer(base);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown optimizer '" + text + "': " + e.getMessage() + "; benchmark presets: "
                    + String.join(", ", PRESETS.keySet()), e);
        }
        if (at < 0) return Contender.self(t, c);
        String[] kv = t.substring(at + 1).split("=", 2);
        if (kv.length != 2 || kv[1].isBlank()) throw new IllegalArgumentException("'" + text + "': expected NAME@KNOB=v1/v2/…, e.g. adam@lr=1e-4/1e-3/1e-2");
        List<Double> grid = new ArrayList<>();
        for (String v : kv[1].split("/")) {
            try {
                grid.add(Double.parseDouble(v.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "': grid value '" + v + "' is not a number");
            }
        }
        return Contender.tuned(t, c, org.tuneless.catalog.Param.camel(kv[0].trim()), grid);
    }

    /** Contenders from a comma-separated list of preset names (a contender with options goes through {@link #parse} alone). */
    public static List<Contender> parseList(String text) {
        List<Contender> out = new ArrayList<>();
        for (String s : text.split(",")) if (!s.isBlank()) out.add(parse(s));
        return out;
    }
}
