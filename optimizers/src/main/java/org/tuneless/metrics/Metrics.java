package org.tuneless.metrics;

/**
 * The names of every per-step quantity Tuneless records: the history's fixed columns, the curvature tracker's metrics
 * and each optimizer's diagnostics. Trackers, optimizers, the run files (metrics.csv, metrics.jsonl) and the plots use
 * these constants, so a column is spelled once. Per-tensor quantities are {@code PREFIX + tensorName}.
 */
public final class Metrics {

    private Metrics() {}

    // the fixed history columns, in export order
    public static final String STEP = "step";
    public static final String EPOCH = "epoch";
    public static final String LOSS = "loss";
    public static final String LR = "lr";
    public static final String GRAD_NORM = "grad_norm";
    public static final String UPDATE_NORM = "update_norm";
    public static final String TIME_S = "time_s";

    // curvature tracking (org.tuneless.train.CurvatureTracker)
    /** λmax of the training-loss Hessian by power iteration. */
    public static final String SHARPNESS = "sharpness";
    /** η·λmax: the edge of stability of gradient descent is 2. */
    public static final String LR_X_SHARPNESS = "lr_x_sharpness";
    public static final String SHARPNESS_HVPS = "sharpness_hvps";
    /** Examples the curvature was measured on when the tracker fits its batch to memory ({@code --curvature-batch auto}). */
    public static final String CURVATURE_BATCH = "curvature_batch";
    /** λmax(P^{-1/2} H P^{-1/2}) for a diagonally preconditioned optimizer. */
    public static final String PRECONDITIONED_SHARPNESS = "preconditioned_sharpness";
    public static final String LR_X_PRECONDITIONED_SHARPNESS = "lr_x_preconditioned_sharpness";
    /** uᵀHu along the update actually taken. */
    public static final String UHU = "uhu";
    /** The learning rate at which the update's quadratic model stops decreasing: 2(−gᵀu)/uᵀHu. */
    public static final String EDGE_LR = "edge_lr";
    public static final String ALIGNMENT = "alignment";
    public static final String UPDATE_ANGLE = "update_angle";
    /** Effective learning rate of a tensor: {@code ELR_PREFIX + name}. */
    public static final String ELR_PREFIX = "elr/";
    public static final String ANGULAR_UPDATE_PREFIX = "angular_update/";

    // optimizer diagnostics
    public static final String ADAM_BIAS_CORRECTION1 = "adam.bias_correction1";
    public static final String ADAM_BIAS_CORRECTION2 = "adam.bias_correction2";
    public static final String AGD_G = "agd.G";
    public static final String AGD_ETA = "agd.eta";
    /** ECCO-DNN's Δt per tensor: {@code ECCO_DT_PREFIX + name}. */
    public static final String ECCO_DT_PREFIX = "ecco.dt/";
    public static final String ECCO_DT_MIN = "ecco.dt_min";
    public static final String ECCO_CAP_FRACTION = "ecco.cap_fraction";
    public static final String ECCO_LIMITER = "ecco.limiter";
    public static final String CDAT_N = "cdat.n";
    public static final String CDAT_D = "cdat.d";
    public static final String CDAT_N_EMA = "cdat.n_ema";
    public static final String CDAT_D_EMA = "cdat.d_ema";
    public static final String CDAT_CURVATURE_FRESH = "cdat.curvature_fresh";
    public static final String LS_TRIALS = "ls.trials";
    public static final String LS_SATISFIED = "ls.satisfied";
    public static final String POLYAK_GAP = "polyak.gap";
    public static final String HYPERGRADIENT_COSINE = "hypergradient.cosine";
    /** The σ/λmax rule's own λmax estimate (distinct from the tracker's {@link #SHARPNESS}). */
    public static final String SHARPNESS_RULE_LAMBDA = "sharpness_rule.lambda_max";
    public static final String SHARPNESS_RULE_HVPS = "sharpness_rule.hvps";

    // learning-rate-free optimizers (issue 12)
    /** DoG's step size η = r̄/√G. */
    public static final String DOG_ETA = "dog.eta";
    /** DoG's distance estimate r̄ = max(r_ε, max‖x_i − x_0‖). */
    public static final String DOG_RBAR = "dog.rbar";
    /** DoG's accumulated squared gradient norms G (ε included). */
    public static final String DOG_G = "dog.G";
    /** LDoG's η of one tensor: {@code LDOG_ETA_PREFIX + name}. */
    public static final String LDOG_ETA_PREFIX = "ldog.eta/";
    public static final String LDOG_ETA_MAX = "ldog.eta_max";
    public static final String LDOG_ETA_MIN = "ldog.eta_min";
    /** The weight w of the newest iterate in an average x̄ ← (1−w)x̄ + w·x. */
    public static final String AVERAGE_WEIGHT = "average.weight";
    /** D-Adaptation's distance estimate d (after the step's update). */
    public static final String DADAPT_D = "dadapt.d";
    public static final String DADAPT_D_HAT = "dadapt.d_hat";
    /** The step size D-Adaptation applied: d·lr/‖g₀‖ (SGD) or d·lr·bias correction (Adam), with the old d. */
    public static final String DADAPT_DLR = "dadapt.dlr";
    public static final String PRODIGY_D = "prodigy.d";
    public static final String PRODIGY_D_HAT = "prodigy.d_hat";
    public static final String PRODIGY_D_NUMERATOR = "prodigy.d_numerator";
    public static final String PRODIGY_D_DENOM = "prodigy.d_denom";
    /** The step size Prodigy applied: d·lr·bias correction, with the old d. */
    public static final String PRODIGY_DLR = "prodigy.dlr";
    /** Mechanic's scale Σᵢ sᵢ after the step (the base update is multiplied by max(Σs, 0)). */
    public static final String MECHANIC_S_SUM = "mechanic.s_sum";
    /** Mechanic's inner product h of the step. */
    public static final String MECHANIC_H = "mechanic.h";

    /** Schedule-Free's averaging weight c_{t+1} = weight/weight_sum of the step (x ← (1−c)·x + c·z). */
    public static final String SF_C = "sf.c";
    /** Schedule-Free's sum of the averaging weights (k+1)^r·lr_max^weightLrPower. */
    public static final String SF_WEIGHT_SUM = "sf.weight_sum";
    /** Schedule-Free's largest learning rate so far (it grows through the warmup). */
    public static final String SF_LR_MAX = "sf.lr_max";
    // schedules and wrappers (issue 12)
    /** The schedule's multiplier of the learning rate at this step. */
    public static final String SCHEDULE_MULTIPLIER = "schedule.multiplier";
    /** Lookahead: 1 on the steps where the slow weights were synchronized (every k-th), else 0. */
    public static final String LOOKAHEAD_SYNC = "lookahead.sync";
    /** Lookahead: ‖slow − fast‖ before the synchronization of this step (0 on other steps). */
    public static final String LOOKAHEAD_DISTANCE = "lookahead.distance";
    /** SAM: the norm of the perturbation ε (ρ for plain SAM). */
    public static final String SAM_PERTURBATION_NORM = "sam.perturbation_norm";
    /** SAM: ‖g‖ at the live point (the perturbation's direction). */
    public static final String SAM_GRAD_NORM = "sam.grad_norm";
    /** SAM: the loss at the perturbed point w + ε (the sharpness-aware loss). */
    public static final String SAM_PERTURBED_LOSS = "sam.perturbed_loss";

    /**
     * The integer-valued columns (step and epoch, counts, 0/1 flags): CSV files write them as integers ({@link Csv}),
     * a DataFrame gives them an integer type. Every other column is real.
     */
    public static final java.util.Set<String> INTEGER = java.util.Set.of(STEP, EPOCH, SHARPNESS_HVPS, CURVATURE_BATCH, SHARPNESS_RULE_HVPS, LS_TRIALS,
            LS_SATISFIED, CDAT_CURVATURE_FRESH, LOOKAHEAD_SYNC);

    /** Whether the column (a metric name) holds integers: {@link #INTEGER}. */
    public static boolean isInteger(String name) { return INTEGER.contains(name); }

    /** A per-tensor column, e.g. {@code perTensor(ELR_PREFIX, "dense0.W")} = {@code elr/dense0.W}. */
    public static String perTensor(String prefix, String tensor) { return prefix + tensor; }

    /**
     * Diagnostics in the order given (a {@code Map.of} iterates in an order that changes from one JVM to the next,
     * which reordered the columns of metrics.csv between identical runs).
     */
    public static java.util.Map<String, Double> ordered(String k1, double v1, String k2, double v2) {
        java.util.Map<String, Double> m = new java.util.LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }
}
