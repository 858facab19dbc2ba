package org.tuneless.dsl

import org.tuneless.optim.AdaGrad
import org.tuneless.optim.Adam
import org.tuneless.optim.AdamW
import org.tuneless.optim.Agd
import org.tuneless.optim.EccoDnn
import org.tuneless.optim.Optimizer
import org.tuneless.optim.RmsProp
import org.tuneless.optim.Sgd
import org.tuneless.optim.UpdateDirection
import org.tuneless.optim.tuner.ArmijoLineSearch
import org.tuneless.optim.tuner.Cdat
import org.tuneless.optim.tuner.HypergradientStep
import org.tuneless.optim.tuner.PolyakStep
import org.tuneless.optim.tuner.SharpnessRule

/**
 * How to build an optimizer: a value the DSL passes around. Building is cheap and validates the arguments, so an invalid
 * value fails where the spec is written (e.g. `ecco(eta = -1.0)`), with the Java core's message naming the argument and
 * its valid range.
 */
interface OptimizerSpec {
    /** A new, stateless optimizer (every run gets its own). */
    fun build(): Optimizer
}

/** A base optimizer that can also serve as the direction of a step-size tuner; only these are accepted as `base`. */
class BaseOptimizerSpec internal constructor(private val make: () -> org.tuneless.optim.BaseOptimizer) : OptimizerSpec {
    init {
        make()
    }

    override fun build(): Optimizer = make()

    /** The same optimizer as a direction u_t (its update with learning rate 1). */
    fun direction(): UpdateDirection = make()

    override fun toString(): String = make().name()
}

/** A learning-rate-free optimizer or a tuner around a base direction. */
class TunedOptimizerSpec internal constructor(private val make: () -> Optimizer) : OptimizerSpec {
    init {
        make()
    }

    override fun build(): Optimizer = make()

    override fun toString(): String = make().name()
}

/** Plain gradient descent (torch.optim.SGD); as a tuner's base, its direction is −g. */
fun gd(lr: Double = 0.01, weightDecay: Double = 0.0): BaseOptimizerSpec = BaseOptimizerSpec { Sgd(lr, 0.0, 0.0, false, weightDecay) }

/** SGD with optional heavy-ball momentum (torch.optim.SGD). */
fun sgd(lr: Double = 0.01, momentum: Double = 0.0, dampening: Double = 0.0, nesterov: Boolean = false, weightDecay: Double = 0.0): BaseOptimizerSpec =
    BaseOptimizerSpec { Sgd(lr, momentum, dampening, nesterov, weightDecay) }

fun momentum(lr: Double = 0.01, momentum: Double = 0.9, weightDecay: Double = 0.0): BaseOptimizerSpec =
    BaseOptimizerSpec { Sgd(lr, momentum, 0.0, false, weightDecay) }

fun nesterov(lr: Double = 0.01, momentum: Double = 0.9, weightDecay: Double = 0.0): BaseOptimizerSpec =
    BaseOptimizerSpec { Sgd(lr, momentum, 0.0, true, weightDecay) }

fun rmsprop(lr: Double = 0.01, alpha: Double = 0.99, eps: Double = 1e-8, weightDecay: Double = 0.0, momentum: Double = 0.0, centered: Boolean = false): BaseOptimizerSpec =
    BaseOptimizerSpec { RmsProp(lr, alpha, eps, weightDecay, momentum, centered) }

fun adam(lr: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8, weightDecay: Double = 0.0): BaseOptimizerSpec =
    BaseOptimizerSpec { Adam(lr, beta1, beta2, eps, weightDecay) }

fun adamw(lr: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8, weightDecay: Double = 1e-2): BaseOptimizerSpec =
    BaseOptimizerSpec { AdamW(lr, beta1, beta2, eps, weightDecay) }

fun adagrad(lr: Double = 0.01, lrDecay: Double = 0.0, eps: Double = 1e-10, weightDecay: Double = 0.0): BaseOptimizerSpec =
    BaseOptimizerSpec { AdaGrad(lr, lrDecay, eps, weightDecay, 0.0) }

/** ECCO-DNN (arXiv 2310.13901): η is the LTE tolerance (official default 0.3; the paper varies it over 0.1–100). */
fun ecco(eta: Double = 0.3, alpha0: Double = 0.01, referenceCompat: Boolean = false, limiter: Boolean = true): TunedOptimizerSpec =
    TunedOptimizerSpec { EccoDnn(eta, alpha0, referenceCompat, limiter) }

/** Automatic Gradient Descent (arXiv 2304.05187): no hyperparameters. `train { }` applies its orthogonal initialization. */
fun agd(gain: Double = 1.0): TunedOptimizerSpec = TunedOptimizerSpec { Agd(gain) }

/** CDAT (arXiv 2407.06183 eq. 8): η = σ·max(−gᵀu, 0)/|uᵀHu| on the base direction u; σ = 2 is "on edge". */
fun cdat(base: BaseOptimizerSpec = gd(), scale: Double = 2.0, ema: Double = 0.0, every: Int = 1, eps: Double = 0.0): TunedOptimizerSpec =
    TunedOptimizerSpec { Cdat(base.direction(), scale, ema, eps, every) }

/** The quadratically greedy step −gᵀu/uᵀHu (CDAT with σ = 1). */
fun greedy(base: BaseOptimizerSpec = gd()): TunedOptimizerSpec = TunedOptimizerSpec { Cdat.greedy(base.direction()) }

/** Armijo backtracking line search (seed 003 eq. 1, App. C.3). Use `maxTrials = 30` for minibatch training. */
fun lineSearch(
    base: BaseOptimizerSpec = gd(), c: Double = 1e-4, cPlus: Double = Double.POSITIVE_INFINITY, cMinus: Double = 0.8,
    delta: Double = 0.0, maxTrials: Int = ArmijoLineSearch.FULL_BATCH_TRIALS,
): TunedOptimizerSpec = TunedOptimizerSpec { ArmijoLineSearch(base.direction(), c, cPlus, cMinus, delta, maxTrials) }

/** Polyak step min((f − f*)/‖g‖², lrMax) (seed 003 eq. 14). */
fun polyak(base: BaseOptimizerSpec = gd(), fStar: Double = 0.0, lrMax: Double = 1.0): TunedOptimizerSpec =
    TunedOptimizerSpec { PolyakStep(base.direction(), fStar, lrMax) }

/** Multiplicative hypergradient rule (seed 003 eq. 15) from the initial learning rate `lr`. */
fun hypergradient(base: BaseOptimizerSpec = gd(), lr: Double = 0.01, beta: Double = 0.01): TunedOptimizerSpec =
    TunedOptimizerSpec { HypergradientStep(base.direction(), lr, beta) }

/** σ/λmax by power iteration each step (seed 003 eq. 16). */
fun sharpnessRule(base: BaseOptimizerSpec = gd(), scale: Double = 2.0): TunedOptimizerSpec =
    TunedOptimizerSpec { SharpnessRule(base.direction(), scale) }
