package org.tuneless.dsl

import org.nd4j.linalg.api.buffer.DataType
import org.tuneless.train.CurvatureTracker
import org.tuneless.data.ImageAugmentation
import org.tuneless.data.MinibatchStream
import org.tuneless.nn.Loss
import org.tuneless.nn.SoftmaxCrossEntropy
import org.tuneless.nn.SquaredLoss
import org.tuneless.optim.Agd
import org.tuneless.data.BatchStream
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
class Augmentation internal constructor(val padding: Int, val flip: Boolean) {
    internal fun wrap(stream: BatchStream, shape: LongArray, seed: Long): BatchStream {
        val chw = when (shape.size) {
            3 -> shape
            1 -> { val r = Math.round(Math.sqrt(shape[0].toDouble())); require(r * r == shape[0]) { "augment: inputs of ${shape[0]} values are not square images" }; longArrayOf(1, r, r) }
            else -> throw IllegalArgumentException("augment needs image data (channels, height, width), got ${shape.contentToString()}")
        }
        return ImageAugmentation(chw[0].toInt(), chw[1].toInt(), chw[2].toInt(), padding, flip, seed).wrap(stream)
    }

    override fun toString() = "cropAndFlip(padding = $padding, flip = $flip)"
}

/** Random crops of images padded by [padding] zeros, and random horizontal flips. */
fun cropAndFlip(padding: Int = 2, flip: Boolean = true): Augmentation {
    require(padding >= 0) { "cropAndFlip: padding = $padding must be ≥ 0" }
    return Augmentation(padding, flip)
}

/** The whole training set every step. */
val FullBatch: BatchSize = BatchSize.Full

/** Floating-point precision of the model. */
enum class Precision(internal val type: DataType) { Float32(DataType.FLOAT), Float64(DataType.DOUBLE) }

fun crossEntropy(): Loss = SoftmaxCrossEntropy()

/** ½‖output − target‖² summed over outputs and averaged over the batch (one-hot targets for classification). */
fun squaredLoss(): Loss = SquaredLoss()

/**
 * Configures one training run; see [train]. Every property has the papers' default where one exists. Add-ons install
 * Ktor-style: [track] for curvature, [install] for any [TrainerPlugin].
 */
@TunelessDsl
class TrainingBuilder {
    var model: ModelSpec = mlp(784, 256, 256, 10)
    var data: DataSpec = fashionMnist()
    var optimizer: OptimizerSpec = adam()
    var loss: Loss = crossEntropy()
    var steps: Int = 500
        set(value) {
            require(value > 0) { "steps = $value must be a positive number of optimizer steps" }
            field = value
        }
    var batchSize: BatchSize = FullBatch
    var seed: Long = 0
    var precision: Precision = Precision.Float32
    var label: String? = null
    /** Image augmentation of training batches, e.g. `augment = cropAndFlip(padding = 2)`; none by default. */
    var augment: Augmentation? = null
    /** Show a terminal progress bar (stderr); on by default in an interactive terminal, never inside a notebook (which gets its live display). */
    var progress: Boolean = System.console() != null
    internal var evaluateEvery: Int = 0
    internal val plugins = mutableListOf<TrainerPlugin>()
    internal val trackers = mutableListOf<TrackingBuilder>()

    /** Minibatches of [size] examples. */
    fun batchSize(size: Int) {
        batchSize = BatchSize.Of(size)
    }

    /** Evaluate train/test loss and accuracy every [every] steps (and after the last). */
    fun evaluate(every: Int) {
        require(every > 0) { "evaluate(every = $every): every must be a positive number of steps" }
        evaluateEvery = every
    }

    /** Curvature tracking during training: `track { sharpness(every = 20); elr() }`. */
    fun track(block: TrackingBuilder.() -> Unit) {
        trackers += TrackingBuilder().apply(block)
    }

    /** Adds any trainer plug-in. */
    fun install(plugin: TrainerPlugin) {
        plugins += plugin
    }

    internal fun build(): Trainer {
        val split = data.load()
        val net = model.build(precision.type, seed, split)
        val opt = optimizer.build()
        if (opt is Agd) Agd.initialize(net, seed)
        val train = split.train().castTo(precision.type)
        val stream: BatchStream = when (val b = batchSize) {
            BatchSize.Full -> BatchStream.fixed(train.fullBatch())
            is BatchSize.Of -> MinibatchStream(train, b.size, seed)
        }.let { s -> augment?.wrap(s, train.inputShape(), seed) ?: s }
        val builder = Trainer.builder().network(net).loss(loss).data(stream)
            .evaluateOn("train", train.fullBatch()).evaluateOn("test", split.test().castTo(precision.type).fullBatch())
            .optimizer(opt).steps(steps.toLong()).evaluateEvery(evaluateEvery.toLong()).seed(seed)
            .progress(progress && NotebookHooks.current == null)
            .config("model", net.summary().lines().last().trim()).config("batch", batchSize.toString())
        label?.let { builder.label(it) }
        for (t in trackers) {
            t.subset?.let { n -> t.subsetBatch = train.subset(n.toLong()).fullBatch() }
            builder.install(t.build())
        }
        plugins.forEach { builder.install(it) }
        NotebookHooks.current?.let { builder.install(it()) }
        return builder.build()
    }
}

/** Curvature quantities to record during training (each call is one tracker with its own schedule). */
@TunelessDsl
class TrackingBuilder {
    /** Measure on the first [subset] training examples instead of the current batch. */
    var subset: Int? = null
    var maxIterations: Int = 1000
    var tolerance: Double = 1e-3
    private var every: Long = 20
    private val quantities = mutableListOf<CurvatureTracker.Quantity>()
    private val elrGroups = mutableListOf<String>()

    fun sharpness(every: Int = 20) = add(CurvatureTracker.Quantity.SHARPNESS, every)
    fun preconditionedSharpness(every: Int = 20) = add(CurvatureTracker.Quantity.PRECONDITIONED_SHARPNESS, every)
    fun updateCurvature(every: Int = 20) = add(CurvatureTracker.Quantity.UPDATE_CURVATURE, every)
    fun elr(vararg tensors: String, every: Int = 20) {
        elrGroups += tensors
        add(CurvatureTracker.Quantity.ELR, every)
    }

    private fun add(q: CurvatureTracker.Quantity, every: Int) {
        require(every >= 1) { "track: every = $every must be ≥ 1" }
        this.every = every.toLong()
        quantities += q
    }

    internal var subsetBatch: org.tuneless.objective.Batch? = null

    internal fun build(): CurvatureTracker {
        val b = CurvatureTracker.builder().every(every).maxIterations(maxIterations).tolerance(tolerance)
        quantities.forEach { b.measure(it) }
        if (elrGroups.isNotEmpty()) b.elr(*elrGroups.toTypedArray())
        subsetBatch?.let { b.on(it) }
        return b.build()
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
 * ```
 */
fun train(block: TrainingBuilder.() -> Unit): TrainingRun = TrainingBuilder().apply(block).build().run()

/** Lets the notebook integration add its live-progress plug-in to every `train { }` without a dependency on the kernel. */
object NotebookHooks {
    @Volatile
    var current: (() -> TrainerPlugin)? = null
}
