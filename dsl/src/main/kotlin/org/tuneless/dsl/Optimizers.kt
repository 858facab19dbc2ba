package org.tuneless.dsl

import org.tuneless.catalog.Component
import org.tuneless.optim.Optimizer
import org.tuneless.optim.Optimizers
import org.tuneless.optim.UpdateDirection

/**
 * An optimizer spec: a validated entry of the optimizer catalog ([Optimizers.CATALOG]). The functions below are thin,
 * type-safe constructors of these values; every parameter left `null` takes the catalog default, which is written
 * once, in the catalog (`./tuneless list optimizers` prints them). An invalid value fails where the spec is written
 * (e.g. `ecco(eta = -1.0)`), with the catalog's message naming the argument, the value and the valid range.
 */
sealed class OptimizerSpec(val spec: Component) {
    init {
        build()  // constraints between arguments (e.g. Nesterov needs momentum > 0) fail here too
    }

    /** A new, stateless optimizer (every run gets its own). */
    fun build(): Optimizer = Optimizers.create(spec)

    /** The DSL code of this spec, e.g. `cdat(base = adam(lr = 0.003), scale = 1.5)`. */
    override fun toString(): String = Optimizers.CATALOG.toDsl(spec)

    override fun equals(other: Any?) = other is OptimizerSpec && other.spec == spec
    override fun hashCode() = spec.hashCode()
}

/** A base optimizer that can also serve as the direction of a step-size tuner; only these are accepted as `base`. */
class BaseOptimizerSpec internal constructor(spec: Component) : OptimizerSpec(spec) {
    /** The same optimizer as a direction u_t (its update with learning rate 1). */
    fun direction(): UpdateDirection = Optimizers.direction(spec)
}

/** A learning-rate-free optimizer or a tuner around a base direction. */
class TunedOptimizerSpec internal constructor(spec: Component) : OptimizerSpec(spec)

private fun spec(name: String, vararg args: Pair<String, Any?>): Component =
    Optimizers.CATALOG.spec(name, args.filter { it.second != null }.associate { it.first to (if (it.second is OptimizerSpec) (it.second as OptimizerSpec).spec else it.second) })

private fun base(name: String, vararg args: Pair<String, Any?>) = BaseOptimizerSpec(spec(name, *args))
private fun tuned(name: String, vararg args: Pair<String, Any?>) = TunedOptimizerSpec(spec(name, *args))

/** Plain gradient descent (catalog `sgd`; lr 0.01); as a tuner's base, its direction is −g. */
fun gd(lr: Double? = null, weightDecay: Double? = null): BaseOptimizerSpec = base("sgd", "lr" to lr, "weightDecay" to weightDecay)

/** SGD with optional heavy-ball or Nesterov momentum (torch.optim.SGD; catalog `sgd`). */
fun sgd(lr: Double? = null, momentum: Double? = null, dampening: Double? = null, nesterov: Boolean? = null, weightDecay: Double? = null): BaseOptimizerSpec =
    base("sgd", "lr" to lr, "momentum" to momentum, "dampening" to dampening, "nesterov" to nesterov, "weightDecay" to weightDecay)

/** Heavy-ball momentum SGD (catalog `momentum`: lr 0.01, momentum 0.9). */
fun momentum(lr: Double? = null, momentum: Double? = null, dampening: Double? = null, weightDecay: Double? = null): BaseOptimizerSpec =
    base("momentum", "lr" to lr, "momentum" to momentum, "dampening" to dampening, "weightDecay" to weightDecay)

/** Nesterov momentum SGD (catalog `nesterov`: lr 0.01, momentum 0.9). */
fun nesterov(lr: Double? = null, momentum: Double? = null, weightDecay: Double? = null): BaseOptimizerSpec =
    base("nesterov", "lr" to lr, "momentum" to momentum, "weightDecay" to weightDecay)

/** RMSProp (torch.optim.RMSprop; catalog `rmsprop`: lr 0.01, alpha 0.99, eps 1e-8). */
fun rmsprop(lr: Double? = null, alpha: Double? = null, eps: Double? = null, weightDecay: Double? = null, momentum: Double? = null, centered: Boolean? = null): BaseOptimizerSpec =
    base("rmsprop", "lr" to lr, "alpha" to alpha, "eps" to eps, "weightDecay" to weightDecay, "momentum" to momentum, "centered" to centered)

/** Adam (torch.optim.Adam; catalog `adam`: lr 1e-3, betas 0.9/0.999, eps 1e-8). */
fun adam(lr: Double? = null, beta1: Double? = null, beta2: Double? = null, eps: Double? = null, weightDecay: Double? = null): BaseOptimizerSpec =
    base("adam", "lr" to lr, "beta1" to beta1, "beta2" to beta2, "eps" to eps, "weightDecay" to weightDecay)

/** AdamW (torch.optim.AdamW; catalog `adamw`: lr 1e-3, weight decay 1e-2). */
fun adamw(lr: Double? = null, beta1: Double? = null, beta2: Double? = null, eps: Double? = null, weightDecay: Double? = null): BaseOptimizerSpec =
    base("adamw", "lr" to lr, "beta1" to beta1, "beta2" to beta2, "eps" to eps, "weightDecay" to weightDecay)

/** AdaGrad (torch.optim.Adagrad; catalog `adagrad`: lr 0.01, eps 1e-10). */
fun adagrad(lr: Double? = null, lrDecay: Double? = null, eps: Double? = null, weightDecay: Double? = null): BaseOptimizerSpec =
    base("adagrad", "lr" to lr, "lrDecay" to lrDecay, "eps" to eps, "weightDecay" to weightDecay)

/** Lion (arXiv 2302.06675; catalog `lion`: lr 1e-4, betas 0.9/0.99): sign of the interpolated momentum, decoupled decay. */
fun lion(lr: Double? = null, beta1: Double? = null, beta2: Double? = null, weightDecay: Double? = null): BaseOptimizerSpec =
    base("lion", "lr" to lr, "beta1" to beta1, "beta2" to beta2, "weightDecay" to weightDecay)

/**
 * ECCO-DNN (arXiv 2310.13901; catalog `ecco`): η is the LTE tolerance (default 0.3; the paper varies it over 0.1–100);
 * `stepCap` is the hard cap on Δt (0.5 = the official code; 0 = no cap, LTE control alone).
 */
fun ecco(eta: Double? = null, alpha0: Double? = null, referenceCompat: Boolean? = null, limiter: Boolean? = null, stepCap: Double? = null): TunedOptimizerSpec =
    tuned("ecco", "eta" to eta, "alpha0" to alpha0, "referenceCompat" to referenceCompat, "limiter" to limiter, "stepCap" to stepCap)

/** Automatic Gradient Descent (arXiv 2304.05187; catalog `agd`): no hyperparameters. `train { }` applies its orthogonal initialization. */
fun agd(gain: Double? = null): TunedOptimizerSpec = tuned("agd", "gain" to gain)

/** CDAT (arXiv 2407.06183 eq. 8; catalog `cdat`): η = σ·max(−gᵀu, 0)/|uᵀHu| on the base direction u (default gd); σ = 2 is "on edge". */
fun cdat(base: BaseOptimizerSpec? = null, scale: Double? = null, ema: Double? = null, every: Int? = null, curvatureEps: Double? = null): TunedOptimizerSpec =
    tuned("cdat", "base" to base, "scale" to scale, "ema" to ema, "every" to every, "curvatureEps" to curvatureEps)

/** The quadratically greedy step −gᵀu/uᵀHu (CDAT with σ = 1; catalog `greedy`). */
fun greedy(base: BaseOptimizerSpec? = null): TunedOptimizerSpec = tuned("greedy", "base" to base)

/** Armijo backtracking line search (catalog `linesearch`). Use `maxTrials = 30` for minibatch training. */
fun lineSearch(base: BaseOptimizerSpec? = null, c: Double? = null, cPlus: Double? = null, cMinus: Double? = null, delta: Double? = null, maxTrials: Int? = null): TunedOptimizerSpec =
    tuned("linesearch", "base" to base, "c" to c, "cPlus" to cPlus, "cMinus" to cMinus, "delta" to delta, "maxTrials" to maxTrials)

/** Polyak step min((f − f*)/‖g‖², lrMax) (catalog `polyak`: f* 0, lrMax 1). */
fun polyak(base: BaseOptimizerSpec? = null, fStar: Double? = null, lrMax: Double? = null): TunedOptimizerSpec =
    tuned("polyak", "base" to base, "fStar" to fStar, "lrMax" to lrMax)

/** Multiplicative hypergradient rule from the initial learning rate `lr` (catalog `hypergradient`: lr 0.01, beta 0.01). */
fun hypergradient(base: BaseOptimizerSpec? = null, lr: Double? = null, beta: Double? = null): TunedOptimizerSpec =
    tuned("hypergradient", "base" to base, "lr" to lr, "beta" to beta)

/** σ/λmax by power iteration each step (catalog `sharpness-rule`: σ 2). */
fun sharpnessRule(base: BaseOptimizerSpec? = null, scale: Double? = null): TunedOptimizerSpec =
    tuned("sharpness-rule", "base" to base, "scale" to scale)

/**
 * DoG (arXiv 2302.12022; catalog `dog`): gradient steps with η = r̄/√G from the distance travelled and the gradients,
 * one η for the whole model; no learning rate to tune. `average = 8.0` evaluates the polynomial-decay average of the
 * iterates (the authors' recommendation, γ = 8).
 */
fun dog(repsRel: Double? = null, eps: Double? = null, initEta: Double? = null, weightDecay: Double? = null, lr: Double? = null, average: Double? = null): TunedOptimizerSpec =
    tuned("dog", "repsRel" to repsRel, "eps" to eps, "initEta" to initEta, "weightDecay" to weightDecay, "lr" to lr, "average" to average)

/** Layer-wise DoG (catalog `ldog`): one η per parameter tensor; the same options as [dog]. */
fun ldog(repsRel: Double? = null, eps: Double? = null, initEta: Double? = null, weightDecay: Double? = null, lr: Double? = null, average: Double? = null): TunedOptimizerSpec =
    tuned("ldog", "repsRel" to repsRel, "eps" to eps, "initEta" to initEta, "weightDecay" to weightDecay, "lr" to lr, "average" to average)

/** D-Adaptation SGD (arXiv 2301.07733, dadaptation 3.2; catalog `dadapt-sgd`: lr 1, d0 1e-6, momentum 0). */
fun dadaptSgd(lr: Double? = null, momentum: Double? = null, weightDecay: Double? = null, d0: Double? = null, growthRate: Double? = null): TunedOptimizerSpec =
    tuned("dadapt-sgd", "lr" to lr, "momentum" to momentum, "weightDecay" to weightDecay, "d0" to d0, "growthRate" to growthRate)

/** D-Adaptation Adam (arXiv 2301.07733, dadaptation 3.2; catalog `dadapt-adam`: lr 1, betas 0.9/0.999, d0 1e-6). */
fun dadaptAdam(lr: Double? = null, beta1: Double? = null, beta2: Double? = null, eps: Double? = null, weightDecay: Double? = null,
               decouple: Boolean? = null, useBiasCorrection: Boolean? = null, d0: Double? = null, growthRate: Double? = null): TunedOptimizerSpec =
    tuned("dadapt-adam", "lr" to lr, "beta1" to beta1, "beta2" to beta2, "eps" to eps, "weightDecay" to weightDecay, "decouple" to decouple,
        "useBiasCorrection" to useBiasCorrection, "d0" to d0, "growthRate" to growthRate)

/** Prodigy (arXiv 2306.06101, prodigyopt 1.1.2; catalog `prodigy`): Adam with an adapted step d·lr; tune `dCoef` if anything. */
fun prodigy(lr: Double? = null, beta1: Double? = null, beta2: Double? = null, beta3: Double? = null, eps: Double? = null, weightDecay: Double? = null,
            decouple: Boolean? = null, useBiasCorrection: Boolean? = null, safeguardWarmup: Boolean? = null, d0: Double? = null,
            dCoef: Double? = null, growthRate: Double? = null): TunedOptimizerSpec =
    tuned("prodigy", "lr" to lr, "beta1" to beta1, "beta2" to beta2, "beta3" to beta3, "eps" to eps, "weightDecay" to weightDecay,
        "decouple" to decouple, "useBiasCorrection" to useBiasCorrection, "safeguardWarmup" to safeguardWarmup, "d0" to d0, "dCoef" to dCoef,
        "growthRate" to growthRate)

/**
 * Mechanic (arXiv 2306.00144, mechanic-pytorch; catalog `mechanic`): learns a scale Σs for the updates of `base`.
 * `mechanic()` is the authors' recipe, sgd at lr 1; give another base its lr explicitly, as they do:
 * `mechanic(base = adam(lr = 1.0))` (a base written as `adam()` keeps Adam's own default lr 1e-3, and Mechanic then
 * starts from steps 1,000× smaller).
 */
fun mechanic(base: BaseOptimizerSpec? = null, sDecay: Double? = null, sInit: Double? = null, eps: Double? = null): TunedOptimizerSpec =
    tuned("mechanic", "base" to base, "sDecay" to sDecay, "sInit" to sInit, "eps" to eps)

/**
 * Schedule-Free SGD (arXiv 2405.15682, schedulefree 1.4.1; catalog `sf-sgd`: lr 1.0, momentum 0.9): no schedule needed,
 * evaluations use the average x. The official default lr 1.0 suits well-conditioned models; lower it for stiff ones.
 */
fun scheduleFreeSgd(lr: Double? = null, momentum: Double? = null, weightDecay: Double? = null, warmupSteps: Int? = null,
                    r: Double? = null, weightLrPower: Double? = null): TunedOptimizerSpec =
    tuned("sf-sgd", "lr" to lr, "momentum" to momentum, "weightDecay" to weightDecay, "warmupSteps" to warmupSteps, "r" to r,
        "weightLrPower" to weightLrPower)

/** Schedule-Free AdamW (arXiv 2405.15682, schedulefree 1.4.1; catalog `sf-adamw`: lr 0.0025, betas 0.9/0.999): evaluations use the average x. */
fun scheduleFreeAdamW(lr: Double? = null, beta1: Double? = null, beta2: Double? = null, eps: Double? = null, weightDecay: Double? = null,
                      warmupSteps: Int? = null, r: Double? = null, weightLrPower: Double? = null): TunedOptimizerSpec =
    tuned("sf-adamw", "lr" to lr, "beta1" to beta1, "beta2" to beta2, "eps" to eps, "weightDecay" to weightDecay,
        "warmupSteps" to warmupSteps, "r" to r, "weightLrPower" to weightLrPower)

/**
 * Weight averaging around any optimizer (catalog `averaged`; default base adam): `mode` "ema" (x̄ ← βx̄ + (1−β)x,
 * [beta] 0.999), "swa" (uniform from step [start]) or "poly" (w = (γ+1)/(γ+t), [gamma] 8). Evaluations use the average,
 * e.g. `averaged(base = adam(), mode = "ema", beta = 0.999)`.
 */
fun averaged(base: OptimizerSpec? = null, mode: String? = null, beta: Double? = null, start: Int? = null, gamma: Double? = null): TunedOptimizerSpec =
    tuned("averaged", "base" to base, "mode" to mode, "beta" to beta, "start" to start, "gamma" to gamma)

/** Lookahead (arXiv 1907.08610; catalog `lookahead`) around any optimizer: every [k] steps (5) the slow weights move [alpha] (0.5) toward the fast ones. */
fun lookahead(base: OptimizerSpec? = null, k: Int? = null, alpha: Double? = null): TunedOptimizerSpec =
    tuned("lookahead", "base" to base, "k" to k, "alpha" to alpha)

/**
 * SAM (arXiv 2010.01412; catalog `sam`): the base steps with the gradient at w + ρ·g/‖g‖ ([rho] 0.05), one extra
 * gradient per step; [adaptive] = ASAM (arXiv 2102.11600), perturbation scaled by |w| + [adaptiveEta]. E.g.
 * `sam(base = sgd(lr = 0.1, momentum = 0.9), rho = 0.05)`.
 */
fun sam(base: BaseOptimizerSpec? = null, rho: Double? = null, adaptive: Boolean? = null, adaptiveEta: Double? = null): TunedOptimizerSpec =
    tuned("sam", "base" to base, "rho" to rho, "adaptive" to adaptive, "adaptiveEta" to adaptiveEta)
