package org.tuneless.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds optimizers by name with string options — the registry behind the CLI ({@code --optimizer adam --lr 1e-3})
 * and scripts. Other optimizers join it with {@link #register}.
 */
public final class Optimizers {

    /** A registered optimizer: its name, a one-line description, the options it takes and how to build it. */
    public record Entry(String name, String description, Set<String> options, Function<OptimizerOptions, Optimizer> factory) {}

    private static final Map<String, Entry> REGISTRY = new LinkedHashMap<>();
    private static final Map<String, String> ALIASES = new LinkedHashMap<>();

    static {
        Set<String> sgdOptions = Set.of("lr", "momentum", "weight-decay", "dampening");
        register("sgd", "gradient descent (torch.optim.SGD); lr default 0.01", sgdOptions,
                o -> new Sgd(o.number("lr", 0.01), o.number("momentum", 0), o.number("dampening", 0), false, o.number("weight-decay", 0)));
        alias("gd", "sgd");
        register("momentum", "heavy-ball momentum SGD; lr 0.01, momentum 0.9", sgdOptions,
                o -> new Sgd(o.number("lr", 0.01), o.number("momentum", 0.9), o.number("dampening", 0), false, o.number("weight-decay", 0)));
        register("nesterov", "Nesterov momentum SGD; lr 0.01, momentum 0.9", Set.of("lr", "momentum", "weight-decay"),
                o -> new Sgd(o.number("lr", 0.01), o.number("momentum", 0.9), 0, true, o.number("weight-decay", 0)));
        register("rmsprop", "RMSProp (torch.optim.RMSprop); lr 0.01, alpha 0.99, eps 1e-8",
                Set.of("lr", "alpha", "eps", "weight-decay", "momentum"),
                o -> new RmsProp(o.number("lr", 0.01), o.number("alpha", 0.99), o.number("eps", 1e-8), o.number("weight-decay", 0),
                        o.number("momentum", 0), false));
        register("adam", "Adam (torch.optim.Adam); lr 1e-3, betas 0.9/0.999, eps 1e-8",
                Set.of("lr", "beta1", "beta2", "eps", "weight-decay"),
                o -> new Adam(o.number("lr", 1e-3), o.number("beta1", 0.9), o.number("beta2", 0.999), o.number("eps", 1e-8), o.number("weight-decay", 0)));
        register("adamw", "AdamW (torch.optim.AdamW); lr 1e-3, weight decay 1e-2",
                Set.of("lr", "beta1", "beta2", "eps", "weight-decay"),
                o -> new AdamW(o.number("lr", 1e-3), o.number("beta1", 0.9), o.number("beta2", 0.999), o.number("eps", 1e-8), o.number("weight-decay", 1e-2)));
        register("adagrad", "AdaGrad (torch.optim.Adagrad); lr 0.01", Set.of("lr", "lr-decay", "eps", "weight-decay"),
                o -> new AdaGrad(o.number("lr", 0.01), o.number("lr-decay", 0), o.number("eps", 1e-10), o.number("weight-decay", 0), 0));
    }

    /** Options of the base direction a tuner passes on (the base's own hyperparameters). */
    static final List<String> VALID_BASES = List.of("gd", "sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw", "adagrad");

    static final Set<String> BASE_OPTIONS = Set.of("momentum", "beta1", "beta2", "eps", "alpha", "weight-decay", "dampening");

    static {
        register("ecco", "ECCO-DNN (arXiv 2310.13901): LTE-controlled steps; eta 0.3, alpha0 0.01",
                Set.of("eta", "alpha0", "reference", "limiter"),
                o -> new EccoDnn(o.number("eta", 0.3), o.number("alpha0", 0.01), bool(o, "reference", false), bool(o, "limiter", true)));
        register("agd", "Automatic Gradient Descent (arXiv 2304.05187): no hyperparameters; gain 1", Set.of("gain"),
                o -> new Agd(o.number("gain", 1.0)));
        tuner("cdat", "CDAT (arXiv 2407.06183 eq. 8) on a base direction; scale 2, ema 0", Set.of("scale", "ema", "every", "curvature-eps"),
                (o, base) -> new org.tuneless.optim.tuner.Cdat(base, o.number("scale", 2.0), o.number("ema", 0), o.number("curvature-eps", 0), o.integer("every", 1)));
        tuner("greedy", "quadratically greedy step −gᵀu/uᵀHu (CDAT σ = 1)", Set.of(),
                (o, base) -> org.tuneless.optim.tuner.Cdat.greedy(base));
        tuner("linesearch", "Armijo backtracking line search (seed 003 eq. 1); c 1e-4, c-minus 0.8, c-plus ∞",
                Set.of("c", "c-plus", "c-minus", "delta", "max-trials"),
                (o, base) -> new org.tuneless.optim.tuner.ArmijoLineSearch(base, o.number("c", 1e-4), o.number("c-plus", Double.POSITIVE_INFINITY),
                        o.number("c-minus", 0.8), o.number("delta", 0), o.integer("max-trials", org.tuneless.optim.tuner.ArmijoLineSearch.FULL_BATCH_TRIALS)));
        tuner("polyak", "Polyak step min((f − f*)/‖g‖², lr-max); f-star 0, lr-max 1", Set.of("f-star", "lr-max"),
                (o, base) -> new org.tuneless.optim.tuner.PolyakStep(base, o.number("f-star", 0), o.number("lr-max", 1)));
        tuner("hypergradient", "multiplicative hypergradient rule (seed 003 eq. 15); lr (η₀) 0.01, beta 0.01", Set.of("lr", "beta"),
                (o, base) -> new org.tuneless.optim.tuner.HypergradientStep(base, o.number("lr", 0.01), o.number("beta", 0.01)));
        tuner("sharpness-rule", "σ/λmax by power iteration (seed 003 eq. 16); scale 2", Set.of("scale"),
                (o, base) -> new org.tuneless.optim.tuner.SharpnessRule(base, o.number("scale", 2.0)));
    }

    private static boolean bool(OptimizerOptions o, String key, boolean defaultValue) {
        String v = o.text(key, null);
        if (v == null) return defaultValue;
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new IllegalArgumentException("optimizer '" + o.optimizer() + "': option '" + key + "' = '" + v + "' is not true/false");
        };
    }

    /** Registers a tuner that takes a {@code base} option (default gd) and passes the base's hyperparameters on. */
    private static void tuner(String name, String description, Set<String> own,
                              java.util.function.BiFunction<OptimizerOptions, UpdateDirection, Optimizer> make) {
        Set<String> all = new java.util.HashSet<>(own);
        all.add("base");
        all.addAll(BASE_OPTIONS);
        register(name, description, all, o -> {
            String baseName = o.text("base", "gd");
            if (!VALID_BASES.contains(baseName)) {
                throw new IllegalArgumentException(name + ": unknown base '" + baseName + "'; valid bases: " + String.join(", ", VALID_BASES));
            }
            Set<String> notForBase = new java.util.HashSet<>(own);
            notForBase.add("base");
            return make.apply(o, direction(baseName, o.without(notForBase)));
        });
    }

    private Optimizers() {}

    public static synchronized void register(String name, String description, Set<String> options, Function<OptimizerOptions, Optimizer> factory) {
        REGISTRY.put(name, new Entry(name, description, Set.copyOf(options), factory));
    }

    public static synchronized void alias(String alias, String target) {
        ALIASES.put(alias, target);
    }

    /** Registered names (aliases included), in registration order. */
    public static synchronized List<String> names() {
        List<String> names = new ArrayList<>(REGISTRY.keySet());
        names.addAll(ALIASES.keySet());
        return names;
    }

    public static synchronized Entry entry(String name) {
        Entry e = REGISTRY.get(ALIASES.getOrDefault(name, name));
        if (e == null) {
            throw new IllegalArgumentException("unknown optimizer '" + name + "'; valid: " + String.join(", ", names()));
        }
        return e;
    }

    /** Builds optimizer {@code name} from string options (keys as on the command line, without dashes in front). */
    public static Optimizer create(String name, Map<String, String> options) {
        Entry e = entry(name);
        return e.factory().apply(new OptimizerOptions(e.name(), options, e.options()));
    }

    /** A base optimizer usable as a direction for a step-size tuner ({@code gd}, {@code momentum}, {@code adam}, …). */
    public static UpdateDirection direction(String name, Map<String, String> options) {
        Optimizer o = create(name, options);
        if (!(o instanceof UpdateDirection d)) {
            throw new IllegalArgumentException("'" + name + "' cannot serve as a base direction; valid bases: gd, sgd, momentum, nesterov, rmsprop, adam, adamw, adagrad");
        }
        return d;
    }
}
