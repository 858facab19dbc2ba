package org.tuneless.kotlindl

import org.jetbrains.kotlinx.dl.api.inference.InferenceModel
import org.nd4j.linalg.api.ndarray.INDArray
import org.nd4j.linalg.factory.Nd4j
import org.nd4j.linalg.ops.transforms.Transforms
import org.tuneless.nn.Network
import org.tuneless.train.TrainingRun

/**
 * A trained Tuneless [Network] as KotlinDL's [InferenceModel] (`kotlin-deeplearning-api` 0.5.2): code written against
 * KotlinDL's inference interface (`predict`, `predictSoftly`, `inputDimensions`) can use a network trained by Tuneless.
 *
 * The model holds its own copy of the network taken at construction, so training the original further does not change
 * its predictions. One example per call is a `1 × inputDimensions` forward pass; [predictBatch] and
 * [predictSoftlyBatch] run many examples in one pass. Not thread-safe (like [Network]): [copy] it for another thread.
 *
 * @param softmax `true` (the default) when the network outputs logits, as Tuneless classifiers trained with
 *   `SoftmaxCrossEntropy` do: [predictSoftly] then returns softmax probabilities. `false` returns the outputs unchanged.
 */
class TunelessInferenceModel(network: Network, val softmax: Boolean = true) : InferenceModel {

    /** The model's own copy of the network (evaluation mode: running statistics, no dropout). */
    val network: Network = network.copy().eval()

    private val outputSize: Long = network.outputShape().fold(1L) { a, b -> a * b }
    private var closed = false

    /** The shape of one example, without the batch dimension (e.g. `[784]` for an MLP, `[1, 28, 28]` for a CNN). */
    override val inputDimensions: LongArray get() = network.inputShape()

    /** The number of values in one example's input. */
    val inputSize: Int = network.inputShape().fold(1L) { a, b -> a * b }.toInt()

    /** The index of the largest output (the predicted class). The network must output one vector per example. */
    override fun predict(inputData: FloatArray): Int = predictBatch(arrayOf(inputData))[0]

    /**
     * The network's outputs for one example, flattened: softmax probabilities when [softmax] is set (over the last
     * output axis), raw outputs otherwise. [predictionTensorName] must be empty: a Tuneless network has one output.
     */
    override fun predictSoftly(inputData: FloatArray, predictionTensorName: String): FloatArray {
        require(predictionTensorName.isEmpty()) {
            "a Tuneless network has a single, unnamed output; call predictSoftly(input) without a tensor name " +
                "(got '$predictionTensorName')"
        }
        return predictSoftlyBatch(arrayOf(inputData))[0]
    }

    /** The predicted class of each example, from one forward pass over all of them. */
    fun predictBatch(inputs: Array<FloatArray>): IntArray {
        require(network.outputShape().size == 1) {
            "predict returns a class index, so the network must output one vector per example; this one outputs " +
                "${network.outputShape().contentToString()} per example: use predictSoftly for its outputs"
        }
        val idx = outputs(inputs).argMax(1)
        return IntArray(inputs.size) { idx.getInt(it) }
    }

    /** [predictSoftly] for many examples, from one forward pass over all of them. */
    fun predictSoftlyBatch(inputs: Array<FloatArray>): Array<FloatArray> {
        val y = outputs(inputs)
        val flat = y.reshape(inputs.size.toLong(), outputSize)
        return Array(inputs.size) { flat.getRow(it.toLong()).toFloatVector() }
    }

    private fun outputs(inputs: Array<FloatArray>): INDArray {
        check(!closed) { "this TunelessInferenceModel was closed; create a new one from the network" }
        require(inputs.isNotEmpty()) { "no inputs: pass at least one example" }
        inputs.forEachIndexed { i, x ->
            require(x.size == inputSize) {
                "input ${if (inputs.size > 1) "$i " else ""}has ${x.size} values but the network expects $inputSize " +
                    "(shape ${network.inputShape().contentToString()}, flattened row-major)"
            }
        }
        val shape = longArrayOf(inputs.size.toLong()) + network.inputShape()
        val x = Nd4j.create(inputs).reshape(*shape).castTo(network.dataType())
        val y = network.predict(x)
        return if (softmax) Transforms.softmax(y.reshape(-1, y.size(y.rank() - 1)), false).reshape(*y.shape()) else y
    }

    /**
     * Tuneless networks have a fixed input shape: accepts the shape they have (with or without a leading batch
     * dimension) and rejects any other with an error saying so.
     */
    override fun reshape(vararg dims: Long) {
        val own = network.inputShape()
        require(dims.contentEquals(own) || (dims.size == own.size + 1 && dims.copyOfRange(1, dims.size).contentEquals(own))) {
            "a Tuneless network has a fixed input shape ${own.contentToString()}; cannot reshape it to " +
                "${dims.contentToString()}: build and train a network for that shape instead"
        }
    }

    /**
     * A copy on its own network. [copyWeights] `false` gives the same architecture freshly initialized (seed 0);
     * [saveOptimizerState] has no effect (an inference model holds no optimizer state); [copiedModelName] is unused.
     */
    override fun copy(copiedModelName: String?, saveOptimizerState: Boolean, copyWeights: Boolean): TunelessInferenceModel {
        check(!closed) { "this TunelessInferenceModel was closed; create a new one from the network" }
        val net = network.copy()
        if (!copyWeights) net.initialize(0)
        return TunelessInferenceModel(net, softmax)
    }

    /** Further predictions fail; the network's memory is released by the JVM's garbage collector. */
    override fun close() { closed = true }

    override fun toString(): String =
        "TunelessInferenceModel(input ${inputDimensions.contentToString()}, output " +
            "${network.outputShape().contentToString()}${if (softmax) ", softmax" else ""})"
}

/** This network as a KotlinDL [InferenceModel] (a snapshot of its current parameters). */
fun Network.asInferenceModel(softmax: Boolean = true): TunelessInferenceModel = TunelessInferenceModel(this, softmax)

/** The run's trained network as a KotlinDL [InferenceModel]. */
fun TrainingRun.asInferenceModel(softmax: Boolean = true): TunelessInferenceModel {
    val net = network().orElseThrow {
        IllegalArgumentException("run '${label()}' optimized a synthetic objective, not a network: nothing to predict with")
    }
    return TunelessInferenceModel(net, softmax)
}
