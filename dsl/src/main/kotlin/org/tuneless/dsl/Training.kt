package org.tuneless.dsl

import org.tuneless.catalog.Component
import org.tuneless.run.Catalogs
import org.tuneless.run.Run
import org.tuneless.run.RunSpec
import org.tuneless.train.EvaluationMode
import org.tuneless.train.Trainer
import org.tuneless.train.TrainerPlugin
import org.tuneless.train.TrainingRun

/** Full-batch or minibatch training. */
sealed class BatchSize {
    object Full : BatchSize() {
        override fun toString() = "full"
    }

    data class Of(val size: Int) : BatchSize() {
        init {
            require(size > 0) { "batchSize = $size must be a positive number of examples (or FullBatch)" }
        }

        override fun toString() = size.toString()
    }
}

/** Random crop with zero padding and horizontal flip of image batches (the shape comes from the data: flat 784 = 1×28×28). */
class Augmentation internal constructor(internal val spec: RunSpec.Augmentation) {
    val padding: Int get() = spec.padding()
    val flip: Boolean get() = spec.flip()

    override fun toString() = "cropAndFlip(padding = $padding, flip = $flip)"
}

/** Random crops of images padded by [padding] zeros, and random horizontal flips. */
fun cropAndFlip(padding: Int = 2, flip: Boolean = true): Augmentation = Augmentation(RunSpec.Augmentation(padding, flip))

/** The whole training set every step. */
val FullBatch: BatchSize = BatchSize.Full

/** Floating-point precision of the model. */
enum class Precision(internal val dtype: String) { Float32("float32"), Float64("float64") }

/**
 * Where evaluations (train/test loss and accuracy) happen when the optimizer offers an evaluation point of its own
 * (Schedule-Free's x, an iterate average of `averaged(...)`): [Average] there (the default), [Live] at the parameters
 * gradients are taken at. Optimizers without such a point evaluate at the live parameters either way.
 */
enum class EvaluateAt(internal val mode: EvaluationMode) { Average(EvaluationMode.AVERAGE), Live(EvaluationMode.LIVE) }

/**
 * How many examples of each split the evaluations *during* training use (the final evaluation uses `subset`):
 * [Auto] (the default: without a `subset`, a fixed subset of max(256, every × batch / (4 × splits)) examples, so that
 * evaluating stays about a tenth of a run or less), [All] (the final evaluation's examples) or [of] N examples.
 */
class PeriodicSubset private constructor(internal val value: Long) {
    companion object {
        @JvmField val Auto = PeriodicSubset(RunSpec.Evaluation.AUTO)
        @JvmField val All = PeriodicSubset(RunSpec.Evaluation.ALL)

        /** The first [examples] examples of each split (at most the final evaluation's). */
        fun of(examples: Int): PeriodicSubset {
            require(examples >= 1) { "PeriodicSubset.of($examples): a number of examples ≥ 1 (or PeriodicSubset.All, PeriodicSubset.Auto)" }
            return PeriodicSubset(examples.toLong())
        }
    }

    override fun toString(): String = when (value) {
        RunSpec.Evaluation.AUTO -> "PeriodicSubset.Auto"
        RunSpec.Evaluation.ALL -> "PeriodicSubset.All"
        else -> "PeriodicSubset.of($value)"
    }
}

/** The loss a divergence factor multiplies: the run's first loss, or its best loss so far. */
enum class DivergenceReference(internal val text: String) { First("first"), Best("best") }

/** A loss of the loss catalog. */
class LossSpec internal constructor(val spec: Component) {
    override fun toString(): String = Catalogs.LOSSES.toDsl(spec)
}

/** Softmax cross-entropy (catalog `ce`). */
fun crossEntropy(): LossSpec = LossSpec(Catalogs.LOSSES.spec("ce"))

/** ½‖output − target‖² summed over outputs and averaged over the batch (one-hot targets for classification; catalog `mse`). */
fun squaredLoss(): LossSpec = LossSpec(Catalogs.LOSSES.spec("mse"))

private val DEFAULTS: RunSpec = RunSpec.defaults()

/**
 * Configures one training run; see [train]. It builds a [RunSpec] ([spec]) — the same value the command line builds and
 * run.json stores — whose defaults are [RunSpec.defaults]. Add-ons install Ktor-style: [track] for curvature, [install]
 * for any [TrainerPlugin] (a plug-in is code, not data: the spec lists it among its extras).
 */
@TunelessDsl
class TrainingBuilder {
    var model: ModelSpec = CatalogModel(DEFAULTS.model())
    var data: DataSpec = DataSpec(DEFAULTS.data())
    var optimizer: OptimizerSpec = if (Catalogs.optimizer(DEFAULTS.optimizer()) is org.tuneless.optim.UpdateDirection) BaseOptimizerSpec(DEFAULTS.optimizer()) else TunedOptimizerSpec(DEFAULTS.optimizer())
    var loss: LossSpec = LossSpec(DEFAULTS.loss())
    var steps: Int = DEFAULTS.steps().toInt()
        set(value) {
            require(value > 0) { "steps = $value must be a positive number of optimizer steps" }
            field = value
        }
    var batchSize: BatchSize = if (DEFAULTS.batch().isFull) FullBatch else BatchSize.Of(DEFAULTS.batch().size()!!)
    var seed: Long = DEFAULTS.seed()
    var precision: Precision = Precision.Float32
    var label: String? = null
    /**
     * Learning-rate schedule multiplying the optimizer's learning rate, phases joined with `+`:
     * `schedule = warmup(100) + cosine()`, `schedule = wsd(warmup = 100, decay = 0.2)`; none (constant) by default.
     */
    var schedule: ScheduleSpec? = null
    /** Image augmentation of training batches, e.g. `augment = cropAndFlip(padding = 2)`; none by default. */
    var augment: Augmentation? = null
    /** Show a terminal progress bar (stderr); on by default in an interactive terminal, never inside a notebook (which gets its live display). */
    var progress: Boolean = System.console() != null
    internal var evaluateEvery: Int = DEFAULTS.evaluation().every().toInt()
    internal var evaluateSubset: Int = DEFAULTS.evaluation().subset().toInt()
    internal var evaluatePeriodicSubset: PeriodicSubset = PeriodicSubset.Auto
    internal var divergenceTest: RunSpec.Divergence = RunSpec.Divergence.DEFAULT
    /** Where evaluations happen: `evaluateAt = EvaluateAt.Live` to evaluate Schedule-Free or an averaged run at its live parameters. */
    var evaluateAt: EvaluateAt = EvaluateAt.Average
    internal val plugins = mutableListOf<TrainerPlugin>()
    internal val trackers = mutableListOf<TrackingBuilder>()
    private var checkpointPolicy: Trainer.CheckpointPolicy? = null
    private var resumeDir: java.nio.file.Path? = null
    private var overrides: List<String> = emptyList()

    /**
     * Writes a checkpoint every [every] steps (0 = only at the end with [onExit]) into `dir/checkpoints`, keeping the
     * newest [keep]; [dir] defaults to `runs/<optimizer>` as on the command line. Resume with [resumeFrom].
     */
    fun checkpoint(every: Int = 0, keep: Int = 3, dir: String? = null, onExit: Boolean = false) {
        require(every >= 0) { "checkpoint(every = $every): every must be ≥ 0 steps (0 = only at exit)" }
        require(keep >= 1) { "checkpoint(keep = $keep): keep must be ≥ 1" }
        require(every > 0 || onExit) { "checkpoint(every = 0, onExit = false) would never write one: set every or onExit = true" }
        val root = java.nio.file.Path.of(dir ?: "runs/" + optimizer.spec.name())
        checkpointPolicy = Trainer.CheckpointPolicy(root.resolve("checkpoints"), every.toLong(), keep, onExit)
    }

    /**
     * Continues the run checkpointed in [dir] (a directory given to [checkpoint], its `checkpoints/`, or one checkpoint)
     * from its newest valid checkpoint, bit for bit. This block must describe the same run; fields that differ from the
     * checkpoint's spec are refused unless named in [override] (e.g. `listOf("steps")` to extend it).
     */
    fun resumeFrom(dir: String, override: List<String> = emptyList()) {
        resumeDir = java.nio.file.Path.of(dir)
        overrides = override
    }

    /** Minibatches of [size] examples. */
    fun batchSize(size: Int) {
        batchSize = BatchSize.Of(size)
    }

    /**
     * Evaluate train/test loss and accuracy every [every] steps and after the last (0 = only after the last), on the
     * first [subset] examples of each split when [subset] > 0 (a fixed subset: cheaper evaluations of large test sets;
     * 0 = the whole split). The evaluations during training use [periodicSubset] examples ([PeriodicSubset.Auto]: a
     * fixed subset that keeps them about a tenth of a run or less when no [subset] is given; [PeriodicSubset.All]).
     */
    fun evaluate(every: Int = 0, subset: Int = 0, periodicSubset: PeriodicSubset = PeriodicSubset.Auto) {
        require(every >= 0) { "evaluate(every = $every): every must be a number of steps ≥ 0 (0 = only after the last step)" }
        require(subset >= 0) { "evaluate(subset = $subset): subset must be a number of examples ≥ 0 (0 = the whole split)" }
        evaluateEvery = every
        evaluateSubset = subset
        evaluatePeriodicSubset = periodicSubset
    }

    /**
     * When the run counts as diverging (status DIVERGED, history and last finite parameters kept): its loss above
     * [factor] × its first loss ([DivergenceReference.First], the default) or its best so far ([DivergenceReference.Best])
     * for [patience] consecutive steps; `factor = Double.POSITIVE_INFINITY` turns this test off. NaN/Inf values and a
     * negative or infinite learning rate always count. Defaults: factor 10, patience 20.
     */
    fun divergence(factor: Double = RunSpec.Divergence.DEFAULT.factor(), patience: Int = RunSpec.Divergence.DEFAULT.patience(),
                   relativeTo: DivergenceReference = DivergenceReference.First) {
        divergenceTest = RunSpec.Divergence(factor, patience, relativeTo.text)
    }

    /** Curvature tracking during training: `track { sharpness(every = 20); elr(every = 50) }` — each call keeps its own schedule. */
    fun track(block: TrackingBuilder.() -> Unit) {
        trackers += TrackingBuilder().apply(block)
    }

    /** Adds any trainer plug-in. */
    fun install(plugin: TrainerPlugin) {
        plugins += plugin
    }

    /** The run as data: print it ([RunSpec.toDsl]), save it ([RunSpec.toJson]) or run it elsewhere. */
    fun spec(): RunSpec = RunSpec(
        (model as? CatalogModel)?.spec, data.spec, loss.spec, optimizer.spec, steps.toLong(),
        (batchSize as? BatchSize.Of)?.let { RunSpec.Batch.of(it.size) } ?: RunSpec.Batch.full(), seed, precision.dtype, label,
        trackers.flatMap { it.specs() }, RunSpec.Evaluation.every(evaluateEvery.toLong()).at(evaluateAt.mode).subset(evaluateSubset.toLong()).periodicSubset(evaluatePeriodicSubset.value), augment?.spec, null,
        options(observe = false).extras(), schedule?.specs ?: emptyList(), divergenceTest,
    )

    private fun options(observe: Boolean = true): Run.Options {
        val custom = model as? CatalogModel
        val observers = if (observe) listOfNotNull(NotebookHooks.current?.invoke(), LastRun.recorder) else emptyList()
        return Run.Options(
            if (custom == null) Run.CustomModel { type, seed, split -> model.build(type, seed, split) } else null,
            if (custom == null) model.toString() else null, plugins.toList(), progress && NotebookHooks.current == null, observers,
        )
    }

    /** Wires the run (data, shapes, classes, precision, batches, evaluation, trackers, seeds) through [Run.start]. */
    internal fun wire(): Run {
        val spec = spec()
        val checkpoint = resumeDir?.let { org.tuneless.run.Resume.checkpoint(it) }
        if (checkpoint != null) org.tuneless.run.Resume.check(checkpoint, spec, overrides)
        val options = if (checkpoint == null && checkpointPolicy == null) options()
        else options().withPersistence(Run.Persistence(null, checkpointPolicy, checkpoint, null))
        return Run.start(spec, options)
    }

    internal fun build(): Trainer = wire().trainer()
}

/**
 * Curvature quantities to record during training. Each call is one tracker with its own schedule
 * (`sharpness(every = 5); elr(every = 50)` measures sharpness every 5 steps and the ELR every 50). [subset],
 * [maxIterations] and [tolerance] set here apply to the calls of this block that do not set their own.
 */
@TunelessDsl
class TrackingBuilder {
    /** Measure on the first [subset] training examples instead of the current batch. */
    var subset: Int? = null
    var maxIterations: Int? = null
    var tolerance: Double? = null
    /**
     * Measure on as many examples of the batch as an exact HVP fits in memory (`--curvature-batch auto`;
     * `Network.memoryPlan`); the number is recorded as the metric `curvature_batch`.
     */
    var fitMemory: Boolean = false
    private val calls = mutableListOf<Pair<String, Map<String, Any?>>>()

    fun sharpness(every: Int? = null, at: List<Int>? = null, maxIterations: Int? = null, tolerance: Double? = null, subset: Int? = null, fitMemory: Boolean? = null) =
        add("sharpness", every, at, maxIterations, tolerance, subset, fitMemory = fitMemory)

    fun preconditionedSharpness(every: Int? = null, at: List<Int>? = null, maxIterations: Int? = null, tolerance: Double? = null, subset: Int? = null, fitMemory: Boolean? = null) =
        add("preconditioned-sharpness", every, at, maxIterations, tolerance, subset, fitMemory = fitMemory)

    fun updateCurvature(every: Int? = null, at: List<Int>? = null, maxIterations: Int? = null, tolerance: Double? = null, subset: Int? = null, fitMemory: Boolean? = null) =
        add("update-curvature", every, at, maxIterations, tolerance, subset, fitMemory = fitMemory)

    /** Effective learning rate of the named parameter tensors (all weight matrices when none are named). */
    fun elr(vararg tensors: String, every: Int? = null, at: List<Int>? = null, maxIterations: Int? = null, tolerance: Double? = null, subset: Int? = null,
            fitMemory: Boolean? = null) =
        add("elr", every, at, maxIterations, tolerance, subset, tensors.toList().ifEmpty { null }, fitMemory)

    private fun add(name: String, every: Int?, at: List<Int>?, maxIterations: Int?, tolerance: Double?, subset: Int?, tensors: List<String>? = null,
                    fitMemory: Boolean? = null) {
        val args = mapOf("every" to every, "at" to at, "maxIterations" to maxIterations, "tolerance" to tolerance, "subset" to subset, "tensors" to tensors,
            "fitMemory" to fitMemory)
        Catalogs.TRACKERS.spec(name, args.filterValues { it != null })  // fails here if a value is invalid
        calls += name to args
    }

    internal fun specs(): List<Component> = calls.map { (name, args) ->
        val merged = args + mapOf(
            "maxIterations" to (args["maxIterations"] ?: maxIterations),
            "tolerance" to (args["tolerance"] ?: tolerance),
            "subset" to (args["subset"] ?: subset),
            "fitMemory" to (args["fitMemory"] ?: fitMemory.takeIf { it }),
        )
        Catalogs.TRACKERS.spec(name, merged.filterValues { it != null })
    }
}

/**
 * Trains a model and returns its [TrainingRun]:
 * ```
 * val run = train {
 *     model = mlp(784, 256, 256, 10)
 *     data = fashionMnist(subset = 4096)
 *     optimizer = ecco(eta = 10.0)
 *     steps = 500; batchSize = FullBatch; seed = 0
 *     track { sharpness(every = 20) }
 *     evaluate(every = 50)
 * }
 * println(run.spec().get().toDsl())   // the same run as code; run.json holds it as JSON
 * ```
 */
fun train(block: TrainingBuilder.() -> Unit): TrainingRun = TrainingBuilder().apply(block).wire().run()

/** Runs a saved spec (e.g. `RunSpec.read(Path.of("runs/x/run.json"))`). */
fun train(spec: RunSpec): TrainingRun = spec.run()

/** The [RunSpec] this run was built from (null for runs built by hand with `Trainer.builder()`). */
val TrainingRun.spec: RunSpec? get() = RunSpec.of(this).orElse(null)

/**
 * The run `train { }` finished last in this JVM — also when it did not return: a notebook cell interrupted in the middle
 * of training (the kernel stops the cell's thread) leaves its partial run here, status INTERRUPTED, with every complete
 * step; a run that failed leaves it FAILED. `null` before the first run.
 */
val lastRun: TrainingRun? get() = LastRun.run

internal object LastRun {
    @Volatile
    var run: TrainingRun? = null

    val recorder: TrainerPlugin = object : TrainerPlugin {
        override fun onFinish(context: org.tuneless.train.TrainingContext, run: TrainingRun) {
            LastRun.run = run
        }
    }
}

/** Lets the notebook integration add its live-progress plug-in to every `train { }` without a dependency on the kernel. */
object NotebookHooks {
    @Volatile
    var current: (() -> TrainerPlugin)? = null
}
