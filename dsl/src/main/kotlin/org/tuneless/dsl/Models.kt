package org.tuneless.dsl

import org.nd4j.linalg.api.buffer.DataType
import org.tuneless.nn.Init
import org.tuneless.nn.Models
import org.tuneless.nn.Network
import org.tuneless.data.TrainTestSplit

/** How to build a network for a given precision and seed. */
fun interface ModelSpec {
    fun build(type: DataType, seed: Long): Network

    /**
     * Builds the network for this data; models that adapt to it (image size, number of classes, vocabulary and
     * context of text) override this. The default ignores the data.
     */
    fun build(type: DataType, seed: Long, data: TrainTestSplit): Network = build(type, seed)
}

/**
 * A zoo model whose input shape and output size come from the data it trains on; built alone it assumes
 * Fashion-MNIST (1×28×28 images, 10 classes).
 */
class ZooModel internal constructor(
    val name: String,
    private val make: (input: LongArray, classes: Int, text: Boolean) -> Network.Builder,
) : ModelSpec {
    init {
        if (name != "nanolm" && name != "lstm-lm") make(longArrayOf(1, 28, 28), 10, false)  // validates options now
    }

    override fun build(type: DataType, seed: Long): Network = make(longArrayOf(1, 28, 28), 10, false).build(type, seed)

    override fun build(type: DataType, seed: Long, data: TrainTestSplit): Network {
        val train = data.train()
        val text = train.targets().rank() == 3
        val classes = if (text) train.targets().size(2).toInt() else train.numClasses().takeIf { it > 0 } ?: train.targets().size(1).toInt()
        return make(train.inputShape(), classes, text).build(type, seed)
    }

    override fun toString() = name
}

/** Normalization in convolutional models. */
enum class Norm(internal val core: Models.Norm) { None(Models.Norm.NONE), Layer(Models.Norm.LAYER), Batch(Models.Norm.BATCH) }

/** Size of MLP-Mixer. */
enum class MixerSize(internal val core: Models.Size) { Tiny(Models.Size.TINY), Small(Models.Size.SMALL) }

private fun image(input: LongArray): LongArray =
    if (input.size == 1) { val r = Math.round(Math.sqrt(input[0].toDouble())); longArrayOf(1, r, r) } else input

/** Two conv3×3 + max-pool stages, dense 128, classifier (421,642 parameters on Fashion-MNIST). */
fun cnn(): ModelSpec = ZooModel("cnn") { input, classes, _ -> Models.cnn(image(input), classes) }

/** CIFAR-style ResNet-18 (3×3 stem), with batch norm, layer norm or none. */
fun resnet18(norm: Norm = Norm.Batch): ModelSpec = ZooModel("resnet18") { input, classes, _ -> Models.resnet18(image(input), classes, norm.core) }

/** CIFAR-style ResNet-34; `norm = Norm.None` is the CDAT paper's BN-free variant. */
fun resnet34(norm: Norm = Norm.Batch): ModelSpec = ZooModel("resnet34") { input, classes, _ -> Models.resnet34(image(input), classes, norm.core) }

/** MLP-Mixer on p×p patches. */
fun mlpMixer(size: MixerSize = MixerSize.Tiny, patch: Int = 4): ModelSpec =
    ZooModel("mixer") { input, classes, _ -> Models.mlpMixer(size.core, patch, image(input), classes) }

/** ViT-Tiny (dim 192, depth 12, 3 heads) on p×p patches; smaller variants via [vit]. */
fun vitTiny(patch: Int = 7): ModelSpec = ZooModel("vit") { input, classes, _ -> Models.vitTiny(patch, image(input), classes) }

/** A Vision Transformer of any size. */
fun vit(patch: Int = 7, dim: Int = 64, depth: Int = 4, heads: Int = 4): ModelSpec =
    ZooModel("vit") { input, classes, _ -> Models.vit(patch, dim.toLong(), depth, heads, image(input), classes) }

/** Character-level GPT; context and vocabulary come from the text data (e.g. `data = fortunes(context = 64)`). */
fun nanoLM(layers: Int = 2, dim: Int = 128, heads: Int = 4): ModelSpec = ZooModel("nanolm") { input, classes, text ->
    require(text) { "nanoLM is a language model: train it on text data, e.g. data = fortunes(context = 64)" }
    Models.nanoLM(layers, dim.toLong(), heads, input[0].toInt(), classes.toLong())
}

/** LSTM: a sequence classifier over image rows, or on text data a character language model. */
fun lstm(hidden: Int = 128, embedding: Int = 64): ModelSpec = ZooModel("lstm") { input, classes, text ->
    if (text) Models.lstmLM(input[0].toInt(), classes.toLong(), embedding.toLong(), hidden.toLong())
    else { val im = image(input); Models.lstm(longArrayOf(im[1], im[0] * im[2]), hidden.toLong(), classes) }
}

/** Hidden-layer nonlinearity. */
enum class Activation(internal val core: Models.Activation) { Relu(Models.Activation.RELU), Tanh(Models.Activation.TANH), Gelu(Models.Activation.GELU) }

/** An MLP `widths[0] → … → widths[last]`, e.g. `mlp(784, 256, 256, 10)`: ReLU hidden layers, biases, He init by default. */
fun mlp(vararg widths: Long, activation: Activation = Activation.Relu, bias: Boolean = true, init: Init = Init.HE): ModelSpec {
    Models.mlpBuilder(activation.core, bias, init, *widths)  // validates the widths now
    return ModelSpec { type, seed -> Models.mlpBuilder(activation.core, bias, init, *widths).build(type, seed) }
}

fun mlp(vararg widths: Int, activation: Activation = Activation.Relu, bias: Boolean = true, init: Init = Init.HE): ModelSpec =
    mlp(*widths.map { it.toLong() }.toLongArray(), activation = activation, bias = bias, init = init)

/** A model by the name the CLI takes, e.g. `model("mlp:784-100-10:tanh")`, `model("resnet34:none")`, `model("nanolm")`. */
fun model(spec: String): ModelSpec {
    if (spec.lowercase().startsWith("mlp")) {
        Models.parse(spec)
        return ModelSpec { type, seed -> Models.parse(spec).build(type, seed) }
    }
    val name = spec.substringBefore(':').lowercase()
    require(name in Models.NAMES) { "unknown model '$spec'; valid: ${Models.NAMES.joinToString()}" }
    return ZooModel(name) { input, classes, text -> Models.byName(spec, input, classes, text) }
}
