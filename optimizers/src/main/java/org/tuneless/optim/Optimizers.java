package org.tuneless.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.tuneless.catalog.Args;
import org.tuneless.catalog.Catalog;
import org.tuneless.catalog.Component;
import org.tuneless.catalog.Entry;
import org.tuneless.catalog.Param;
import org.tuneless.catalog.ParamType;
import org.tuneless.catalog.Range;
import org.tuneless.optim.tuner.ArmijoLineSearch;
import org.tuneless.optim.tuner.Cdat;
import org.tuneless.optim.tuner.HypergradientStep;
import org.tuneless.optim.tuner.PolyakStep;
import org.tuneless.optim.tuner.SharpnessRule;

/**
 * The optimizer catalog: every optimizer and step-size tuner with its parameters (type, default, valid range, doc) and
 * factory. The command line ({@code --optimizer adam --lr 1e-3}, generated flags, {@code ./tuneless list optimizers}),
 * JSON run specs and the Kotlin DSL ({@code adam(lr = …)}) all build optimizers from these entries, so each default is
 * written here, once.
 */
public final class Optimizers {

    /** The catalog itself; a new optimizer joins with {@code CATALOG.register(Entry.of(…))}. */
    public static final Catalog<Optimizer> CATALOG = new Catalog<>("optimizer");

    /** Names a tuner accepts as its base direction (the base optimizers). */
    public static final List<String> VALID_BASES = List.of("gd", "sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw", "adagrad", "lion");

    /** The base's options a tuner passes on from the command line ({@code --optimizer cdat --base adam --beta1 0.95}). */
    static final List<String> BASE_OPTIONS = List.of("momentum", "beta1", "beta2", "eps", "alpha", "weightDecay", "dampening");

    private static Param lr(double d) { return Param.number("lr", d, Range.NON_NEGATIVE, "learning rate"); }

    private static Param weightDecay(double d) { return Param.number("weightDecay", d, Range.NON_NEGATIVE, "L2 weight decay added to the gradient").label("weight decay"); }

    private static Param momentum(double d) { return Param.number("momentum", d, Range.HALF_OPEN_UNIT, "heavy-ball momentum"); }

    private static Param base() {
        return Param.spec("base", () -> CATALOG, "gd", VALID_BASES, BASE_OPTIONS, "base direction u (its update with lr 1)");
    }

    private static UpdateDirection baseOf(Args a) {
        return direction(a.spec("base"));
    }

    static {
        CATALOG.register(Entry.<Optimizer>of("sgd", "gradient descent (torch.optim.SGD)",
                a -> new Sgd(a.number("lr"), a.number("momentum"), a.number("dampening"), a.bool("nesterov"), a.number("weightDecay")),
                lr(0.01), momentum(0), Param.number("dampening", 0, Range.HALF_OPEN_UNIT, "momentum dampening"),
                Param.bool("nesterov", false, "Nesterov momentum"), weightDecay(0)).aliases("gd"));
        CATALOG.register(Entry.<Optimizer>of("momentum", "heavy-ball momentum SGD",
                a -> new Sgd(a.number("lr"), a.number("momentum"), a.number("dampening"), false, a.number("weightDecay")),
                lr(0.01), momentum(0.9), Param.number("dampening", 0, Range.HALF_OPEN_UNIT, "momentum dampening"), weightDecay(0)));
        CATALOG.register(Entry.<Optimizer>of("nesterov", "Nesterov momentum SGD",
                a -> new Sgd(a.number("lr"), a.number("momentum"), 0, true, a.number("weightDecay")),
                lr(0.01), momentum(0.9), weightDecay(0)));
        CATALOG.register(Entry.<Optimizer>of("rmsprop", "RMSProp (torch.optim.RMSprop)",
                a -> new RmsProp(a.number("lr"), a.number("alpha"), a.number("eps"), a.number("weightDecay"), a.number("momentum"), a.bool("centered")),
                lr(0.01), Param.number("alpha", 0.99, Range.HALF_OPEN_UNIT, "smoothing constant of the squared-gradient average"),
                Param.number("eps", 1e-8, Range.NON_NEGATIVE, "added to the denominator"), weightDecay(0), momentum(0),
                Param.bool("centered", false, "divide by the centered second moment")));
        CATALOG.register(Entry.<Optimizer>of("adam", "Adam (torch.optim.Adam)",
                a -> new Adam(a.number("lr"), a.number("beta1"), a.number("beta2"), a.number("eps"), a.number("weightDecay")),
                lr(1e-3), Param.number("beta1", 0.9, Range.HALF_OPEN_UNIT, "first-moment decay"),
                Param.number("beta2", 0.999, Range.HALF_OPEN_UNIT, "second-moment decay"),
                Param.number("eps", 1e-8, Range.NON_NEGATIVE, "added to the denominator"), weightDecay(0)));
        CATALOG.register(Entry.<Optimizer>of("adamw", "AdamW (torch.optim.AdamW): decoupled weight decay",
                a -> new AdamW(a.number("lr"), a.number("beta1"), a.number("beta2"), a.number("eps"), a.number("weightDecay")),
                lr(1e-3), Param.number("beta1", 0.9, Range.HALF_OPEN_UNIT, "first-moment decay"),
                Param.number("beta2", 0.999, Range.HALF_OPEN_UNIT, "second-moment decay"),
                Param.number("eps", 1e-8, Range.NON_NEGATIVE, "added to the denominator"),
                Param.number("weightDecay", 1e-2, Range.NON_NEGATIVE, "decoupled weight decay").label("weight decay")));
        CATALOG.register(Entry.<Optimizer>of("adagrad", "AdaGrad (torch.optim.Adagrad)",
                a -> new AdaGrad(a.number("lr"), a.number("lrDecay"), a.number("eps"), a.number("weightDecay"), 0),
                lr(0.01), Param.number("lrDecay", 0, Range.NON_NEGATIVE, "lr / (1 + (t − 1)·lrDecay)").label("lr decay"),
                Param.number("eps", 1e-10, Range.NON_NEGATIVE, "added to the denominator"), weightDecay(0)));
        CATALOG.register(Entry.<Optimizer>of("lion", "Lion (arXiv 2302.06675): sign of interpolated momentum, decoupled decay",
                a -> new Lion(a.number("lr"), a.number("beta1"), a.number("beta2"), a.number("weightDecay")),
                lr(1e-4), Param.number("beta1", 0.9, Range.HALF_OPEN_UNIT, "interpolation between momentum and gradient"),
                Param.number("beta2", 0.99, Range.HALF_OPEN_UNIT, "momentum decay"),
                Param.number("weightDecay", 0, Range.NON_NEGATIVE, "decoupled weight decay").label("weight decay")));
        CATALOG.register(Entry.<Optimizer>of("ecco", "ECCO-DNN (arXiv 2310.13901): LTE-controlled steps",
                a -> new EccoDnn(a.number("eta"), a.number("alpha0"), a.bool("referenceCompat"), a.bool("limiter"), a.number("stepCap")),
                Param.number("eta", 0.3, Range.POSITIVE, "LTE tolerance η").label("eta (LTE tolerance)"),
                Param.number("alpha0", 0.01, Range.POSITIVE, "initial step").label("alpha0 (initial step)"),
                Param.bool("referenceCompat", false, "reproduce the reference implementation's quirks"),
                Param.bool("limiter", true, "activation-pattern step limiter"),
                Param.number("stepCap", EccoDnn.STEP_CAP, Range.NON_NEGATIVE, "hard cap on Δt (0.5 = official; 0 = no cap, LTE control alone)").label("step cap")));
        CATALOG.register(Entry.<Optimizer>of("agd", "Automatic Gradient Descent (arXiv 2304.05187): no hyperparameters",
                a -> new Agd(a.number("gain")), Param.number("gain", 1.0, Range.POSITIVE, "multiplies the automatic step")));
        CATALOG.register(Entry.<Optimizer>of("cdat", "CDAT (arXiv 2407.06183 eq. 8) on a base direction",
                a -> new Cdat(baseOf(a), a.number("scale"), a.number("ema"), a.number("curvatureEps"), a.integer("every")),
                base(), Param.number("scale", 2.0, Range.POSITIVE, "σ: 2 = on the edge of stability").label("scale σ"),
                Param.number("ema", 0, Range.HALF_OPEN_UNIT, "EMA β of numerator and denominator").label("ema β"),
                Param.integer("every", 1, Range.POSITIVE_INT, "refresh the curvature every k steps"),
                Param.number("curvatureEps", 0, Range.NON_NEGATIVE, "added to |uᵀHu|").label("eps")));
        CATALOG.register(Entry.<Optimizer>of("greedy", "quadratically greedy step −gᵀu/uᵀHu (CDAT σ = 1)",
                a -> Cdat.greedy(baseOf(a)), base()));
        CATALOG.register(Entry.<Optimizer>of("linesearch", "Armijo backtracking line search",
                a -> new ArmijoLineSearch(baseOf(a), a.number("c"), a.number("cPlus"), a.number("cMinus"), a.number("delta"), a.integer("maxTrials")),
                base(), Param.number("c", 1e-4, Range.NON_NEGATIVE, "sufficient-decrease constant"),
                Param.number("cPlus", Double.POSITIVE_INFINITY, Range.AT_LEAST_ONE, "growth of the step between steps (∞ = restart at 1)").label("c-plus"),
                Param.number("cMinus", 0.8, Range.OPEN_UNIT, "backtracking factor").label("c-minus"),
                Param.number("delta", 0, Range.NON_NEGATIVE, "slack of the Armijo condition"),
                Param.integer("maxTrials", ArmijoLineSearch.FULL_BATCH_TRIALS, Range.POSITIVE_INT, "backtracking trials per step (30 for minibatches)").label("max-trials"))
                .dsl("lineSearch"));
        CATALOG.register(Entry.<Optimizer>of("polyak", "Polyak step min((f − f*)/‖g‖², lrMax)",
                a -> new PolyakStep(baseOf(a), a.number("fStar"), a.number("lrMax")),
                base(), Param.number("fStar", 0, Range.FINITE, "optimal value f*").label("f-star"),
                Param.number("lrMax", 1, Range.POSITIVE, "largest step").label("lr-max")));
        CATALOG.register(Entry.<Optimizer>of("hypergradient", "multiplicative hypergradient rule from an initial lr",
                a -> new HypergradientStep(baseOf(a), a.number("lr"), a.number("beta")),
                base(), Param.number("lr", 0.01, Range.POSITIVE, "initial learning rate η₀").label("lr (initial η₀)"),
                Param.number("beta", 0.01, Range.POSITIVE, "hypergradient rate β")));
        CATALOG.register(Entry.<Optimizer>of("sharpness-rule", "σ/λmax by power iteration each step",
                a -> new SharpnessRule(baseOf(a), a.number("scale")),
                base(), Param.number("scale", 2.0, Range.POSITIVE, "σ").label("scale σ")));
    }

    // ---- learning-rate-free optimizers (docs/methods.md §9)

    /** A number without a default (absent = "not set"). */
    private static Param optionalNumber(String name, Range range, String doc) {
        return new Param(name, ParamType.DOUBLE, null, range, null, null, null, doc, false, null, null, null);
    }

    /** Mechanic forwards the base's options, its learning rate included (the official recipe: sgd with lr 1). */
    static final List<String> MECHANIC_BASE_OPTIONS = java.util.stream.Stream.concat(Stream.of("lr"), BASE_OPTIONS.stream()).toList();

    private static Param growthRate() {
        return Param.number("growthRate", Double.POSITIVE_INFINITY, Range.GROWTH_RATE, "cap on d's growth per step (∞ = unlimited)").label("growth rate");
    }

    /** warmupSteps, r, weightLrPower of the Schedule-Free optimizers. */
    private static Param[] scheduleFreeParams() {
        return new Param[]{Param.integer("warmupSteps", 0, Range.NON_NEGATIVE_INT, "linear warmup of the lr over this many steps").label("warmup steps"),
                Param.number("r", 0, Range.NON_NEGATIVE, "averaging weight grows as (k+1)^r"),
                Param.number("weightLrPower", 2, Range.NON_NEGATIVE, "averaging weight ∝ lr_max^power").label("weight lr power")};
    }

    /** DoG or LDoG, wrapped in polynomial-decay averaging when {@code average} (γ) is set. */
    private static Optimizer dog(Args a, boolean perTensor) {
        double initEta = a.has("initEta") ? a.number("initEta") : Double.NaN;
        Optimizer o = perTensor
                ? new LDog(a.number("repsRel"), a.number("eps"), initEta, a.number("weightDecay"), a.number("lr"))
                : new Dog(a.number("repsRel"), a.number("eps"), initEta, a.number("weightDecay"), a.number("lr"));
        return a.has("average") ? new Averaged(o, Averaged.polynomial(a.number("average"))) : o;
    }

    private static Param[] dogParams() {
        return new Param[]{Param.number("repsRel", 1e-6, Range.POSITIVE, "initial distance r_ε = repsRel·(1 + ‖x₀‖)").label("reps_rel"),
                Param.number("eps", 1e-8, Range.NON_NEGATIVE, "added once to the sum of squared gradient norms G"),
                optionalNumber("initEta", Range.POSITIVE, "first step size instead of r_ε/√G (then r_ε = 0)").label("init_eta"),
                Param.number("weightDecay", 0, Range.NON_NEGATIVE, "coupled L2 decay, added to the gradient before G").label("weight decay"),
                Param.number("lr", 1.0, Range.POSITIVE, "factor on η (leave at 1)"),
                optionalNumber("average", Range.NON_NEGATIVE, "polynomial-decay iterate averaging γ for evaluation (the authors use 8); absent = none")
                        .label("average γ")};
    }

    static {
        CATALOG.register(Entry.<Optimizer>of("dog", "DoG (arXiv 2302.12022): η = r̄/√G from distance and gradients, global; average=8 evaluates the average",
                a -> dog(a, false), dogParams()));
        CATALOG.register(Entry.<Optimizer>of("ldog", "layer-wise DoG (arXiv 2302.12022): one η per parameter tensor",
                a -> dog(a, true), dogParams()));
        CATALOG.register(Entry.<Optimizer>of("dadapt-sgd", "D-Adaptation SGD (arXiv 2301.07733, dadaptation 3.2)",
                a -> new DAdaptSgd(a.number("lr"), a.number("momentum"), a.number("weightDecay"), a.number("d0"), a.number("growthRate")),
                Param.number("lr", 1.0, Range.POSITIVE, "factor on the adapted step (leave at 1)"), momentum(0), weightDecay(0),
                Param.number("d0", 1e-6, Range.POSITIVE, "initial distance estimate d"), growthRate()));
        CATALOG.register(Entry.<Optimizer>of("dadapt-adam", "D-Adaptation Adam (arXiv 2301.07733, dadaptation 3.2)",
                a -> new DAdaptAdam(a.number("lr"), a.number("beta1"), a.number("beta2"), a.number("eps"), a.number("weightDecay"),
                        a.bool("decouple"), a.bool("useBiasCorrection"), a.number("d0"), a.number("growthRate")),
                Param.number("lr", 1.0, Range.POSITIVE, "factor on the adapted step (leave at 1)"),
                Param.number("beta1", 0.9, Range.HALF_OPEN_UNIT, "first-moment decay"),
                Param.number("beta2", 0.999, Range.HALF_OPEN_UNIT, "second-moment decay"),
                Param.number("eps", 1e-8, Range.NON_NEGATIVE, "added to the denominator"), weightDecay(0),
                Param.bool("decouple", false, "AdamW-style decoupled weight decay"),
                Param.bool("useBiasCorrection", false, "Adam's bias correction (off in the official code)"),
                Param.number("d0", 1e-6, Range.POSITIVE, "initial distance estimate d"), growthRate()));
        CATALOG.register(Entry.<Optimizer>of("prodigy", "Prodigy (arXiv 2306.06101, prodigyopt 1.1.2): Adam with an adapted d·lr",
                a -> new Prodigy(a.number("lr"), a.number("beta1"), a.number("beta2"), a.has("beta3") ? a.number("beta3") : Double.NaN,
                        a.number("eps"), a.number("weightDecay"), a.bool("decouple"), a.bool("useBiasCorrection"), a.bool("safeguardWarmup"),
                        a.number("d0"), a.number("dCoef"), a.number("growthRate"), a.integer("sliceP")),
                Param.number("lr", 1.0, Range.POSITIVE, "factor on the adapted step (leave at 1)"),
                Param.number("beta1", 0.9, Range.HALF_OPEN_UNIT, "first-moment decay (0: no first moment)"),
                Param.number("beta2", 0.999, Range.HALF_OPEN_UNIT, "second-moment decay"),
                optionalNumber("beta3", Range.HALF_OPEN_UNIT, "decay of the d estimate's sums; absent = √beta2"),
                Param.number("eps", 1e-8, Range.NON_NEGATIVE, "added to the denominator (times d)"),
                Param.number("weightDecay", 0, Range.NON_NEGATIVE, "weight decay, decoupled unless decouple = false").label("weight decay"),
                Param.bool("decouple", true, "AdamW-style decoupled weight decay"),
                Param.bool("useBiasCorrection", false, "Adam's bias correction (off in the official code)"),
                Param.bool("safeguardWarmup", false, "leave lr out of the d estimate's denominator (for warmup schedules)"),
                Param.number("d0", 1e-6, Range.POSITIVE, "initial distance estimate d"),
                Param.number("dCoef", 1.0, Range.POSITIVE, "multiplies the d estimate (the preferred knob)").label("d_coef"),
                growthRate(), Param.integer("sliceP", 1, Range.POSITIVE_INT, "statistics on every p-th element; only 1 is supported").label("slice_p")));
        CATALOG.register(Entry.<Optimizer>of("mechanic", "Mechanic (arXiv 2306.00144, mechanic-pytorch): learned scale Σs on any base; official recipe sgd lr 1",
                a -> new Mechanic(create(a.spec("base")), a.number("sDecay"), new double[]{0.9, 0.99, 0.999, 0.9999, 0.99999, 0.999999},
                        a.number("sInit"), a.number("eps")),
                Param.spec("base", () -> CATALOG, "sgd", VALID_BASES, MECHANIC_BASE_OPTIONS,
                        "base optimizer whose updates Mechanic scales; a base named without lr runs at lr 1, the authors' recipe")
                        .withNestedDefaults(Map.of("lr", 1.0)),
                Param.number("sDecay", 0.01, Range.NON_NEGATIVE, "weight-decay-like term in Mechanic's inner product").label("s_decay"),
                Param.number("sInit", 1e-8, Range.POSITIVE, "initial wealth of the scale learner").label("s_init"),
                Param.number("eps", 1e-8, Range.NON_NEGATIVE, "added to denominators")));
        CATALOG.register(Entry.<Optimizer>of("sf-sgd", "Schedule-Free SGD (arXiv 2405.15682, schedulefree 1.4.1): evaluates at the average x",
                a -> new ScheduleFreeSgd(a.number("lr"), a.number("momentum"), a.number("weightDecay"), a.integer("warmupSteps"),
                        a.number("r"), a.number("weightLrPower")),
                Param.number("lr", 1.0, Range.NON_NEGATIVE, "learning rate (the official default; far above the stability limit of stiff problems)"),
                Param.number("momentum", 0.9, Range.OPEN_UNIT, "interpolation β: y = (1−β)·z + β·x"),
                weightDecay(0), scheduleFreeParams()[0], scheduleFreeParams()[1], scheduleFreeParams()[2]).dsl("scheduleFreeSgd"));
        CATALOG.register(Entry.<Optimizer>of("sf-adamw", "Schedule-Free AdamW (arXiv 2405.15682, schedulefree 1.4.1): evaluates at the average x",
                a -> new ScheduleFreeAdamW(a.number("lr"), a.number("beta1"), a.number("beta2"), a.number("eps"), a.number("weightDecay"),
                        a.integer("warmupSteps"), a.number("r"), a.number("weightLrPower")),
                Param.number("lr", 0.0025, Range.NON_NEGATIVE, "learning rate"),
                Param.number("beta1", 0.9, Range.OPEN_UNIT, "interpolation β: y = (1−β)·z + β·x (there is no first moment)"),
                Param.number("beta2", 0.999, Range.HALF_OPEN_UNIT, "second-moment decay"),
                Param.number("eps", 1e-8, Range.NON_NEGATIVE, "added to the denominator"),
                Param.number("weightDecay", 0, Range.NON_NEGATIVE, "weight decay λ·y added to the normalized gradient").label("weight decay"),
                scheduleFreeParams()[0], scheduleFreeParams()[1], scheduleFreeParams()[2]).dsl("scheduleFreeAdamW"));
    }

    // ---- wrappers around any optimizer (issue 12): averaging, Lookahead, SAM

    /** A base that may be any optimizer of the catalog (wrappers around wrappers included). */
    private static Param anyBase(String defaultName, String doc) {
        return Param.spec("base", () -> CATALOG, defaultName, List.of(), MECHANIC_BASE_OPTIONS, doc);
    }

    private static Averaged.Mode averagingMode(Args a) {
        return switch (a.text("mode")) {
            case "ema" -> Averaged.ema(a.number("beta"));
            case "swa" -> Averaged.swa(a.integer("start"));
            case "poly" -> Averaged.polynomial(a.number("gamma"));
            default -> throw new IllegalArgumentException("averaged: mode = '" + a.text("mode") + "'; valid: ema, swa, poly");
        };
    }

    static {
        CATALOG.register(Entry.<Optimizer>of("averaged", "weight averaging around any optimizer (EMA, SWA, polynomial); evaluation uses the average",
                a -> new Averaged(create(a.spec("base")), averagingMode(a)),
                anyBase("adam", "the optimizer whose iterates are averaged (any)"),
                Param.choice("mode", "ema", List.of("ema", "swa", "poly"), "ema: x̄ ← βx̄ + (1−β)x; swa: uniform from step start; poly: w = (γ+1)/(γ+t)"),
                Param.number("beta", 0.999, Range.HALF_OPEN_UNIT, "EMA decay β (mode ema)"),
                Param.integer("start", 1, Range.POSITIVE_INT, "first step in the uniform average (mode swa)"),
                Param.number("gamma", 8, Range.NON_NEGATIVE, "polynomial-decay γ (mode poly; DoG's authors use 8)")));
        CATALOG.register(Entry.<Optimizer>of("lookahead", "Lookahead (arXiv 1907.08610): every k steps the slow weights move α toward the fast ones",
                a -> new Lookahead(create(a.spec("base")), a.integer("k"), a.number("alpha")),
                anyBase("adam", "the fast (inner) optimizer (any)"),
                Param.integer("k", 5, Range.POSITIVE_INT, "fast steps between synchronizations"),
                Param.number("alpha", 0.5, Range.LEFT_OPEN_UNIT, "slow-weights step size α")));
        CATALOG.register(Entry.<Optimizer>of("sam", "SAM (arXiv 2010.01412) / ASAM (arXiv 2102.11600): gradient at w + ρ·g/‖g‖, one extra gradient per step",
                a -> new Sam(create(a.spec("base")), a.number("rho"), a.bool("adaptive"), a.number("adaptiveEta")),
                Param.spec("base", () -> CATALOG, "sgd", VALID_BASES, MECHANIC_BASE_OPTIONS, "base optimizer that steps with the sharpness-aware gradient"),
                Param.number("rho", 0.05, Range.POSITIVE, "radius ρ of the perturbation"),
                Param.bool("adaptive", false, "ASAM: perturbation scaled element-wise by |w| + η"),
                Param.number("adaptiveEta", 0.01, Range.NON_NEGATIVE, "η in ASAM's T_w = |w| + η").label("adaptive eta")));
    }

    private Optimizers() {}

    /** Registered names (aliases included), in registration order. */
    public static List<String> names() { return CATALOG.names(); }

    /** Builds optimizer {@code name} from string options (keys as on the command line, without dashes in front). */
    public static Optimizer create(String name, Map<String, String> options) {
        return create(spec(name, options));
    }

    /** The validated spec of optimizer {@code name} with string options (kebab-case or camelCase keys). */
    public static Component spec(String name, Map<String, String> options) {
        Map<String, String> o = new LinkedHashMap<>();
        options.forEach((k, v) -> o.put(k.equals("reference") ? "referenceCompat" : k, v));  // the pre-catalog key of ECCO's flag
        return CATALOG.parse(name, o);
    }

    /** A new optimizer from a validated spec. */
    public static Optimizer create(Component spec) { return CATALOG.create(spec); }

    /** A base optimizer usable as a direction for a step-size tuner ({@code gd}, {@code momentum}, {@code adam}, …). */
    public static UpdateDirection direction(Component spec) {
        Optimizer o = create(spec);
        if (!(o instanceof UpdateDirection d)) {
            throw new IllegalArgumentException("'" + spec.name() + "' cannot serve as a base direction; valid bases: " + String.join(", ", VALID_BASES));
        }
        return d;
    }
}
