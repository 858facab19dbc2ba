package org.tuneless.dsl

import org.nd4j.linalg.api.buffer.DataType
import org.tuneless.catalog.Component
import org.tuneless.data.TrainTestSplit
import org.tuneless.nn.Init
import org.tuneless.nn.Models
import org.tuneless.nn.Network
import org.tuneless.run.Catalogs
import org.tuneless.run.LoadedData
import org.tuneless.run.SpecText

/**
 * How to build a network for a given precision and seed. The functions below return [CatalogModel]s (entries of the
 * model catalog, serializable in a run spec); implement this interface for a model of your own (a run with it still
 * trains, but its spec says the model is code and cannot be re-run from JSON).
 */
interface ModelSpec {
    fun build(type: DataType, seed: Long): Network

    /** Builds the network for this data (image size, number of classes, vocabulary and context of text). The default ignores the data. */
    fun build(type: DataType, seed: Long, data: TrainTestSplit): Network = build(type, seed)
}

/** A model of the catalog; its input shape and output size come from the data. Built alone it assumes Fashion-MNIST (1×28×28, 10 classes). */
class CatalogModel internal constructor(val spec: Component) : ModelSpec {
    init {
        if (spec.name() != "nanolm") Catalogs.MODELS.create(spec).build(longArrayOf(1, 28, 28), 10, false)  // validates the options now
    }

    override fun build(type: DataType, seed: Long): Network = Catalogs.MODELS.create(spec).build(longArrayOf(1, 28, 28), 10, false).build(type, seed)

    override fun build(type: DataType, seed: Long, data: TrainTestSplit): Network {
        val d = LoadedData.of(data)
        return Catalogs.MODELS.create(spec).build(data.train().inputShape(), d.classes(), d.text()).build(type, seed)
    }

    override fun toString(): String = Catalogs.MODELS.toDsl(spec)
    override fun equals(other: Any?) = other is CatalogModel && other.spec == spec
    override fun hashCode() = spec.hashCode()
}

private fun model(name: String, vararg args: Pair<String, Any?>) =
    CatalogModel(Catalogs.MODELS.spec(name, args.filter { it.second != null }.associate { it.first to it.second }))

/** Normalization in convolutional models. */
enum class Norm { None, Layer, Batch }

/** Size of MLP-Mixer. */
enum class MixerSize { Tiny, Small }

/** Hidden-layer nonlinearity. */
enum class Activation { Relu, Tanh, Gelu }

private fun Enum<*>?.key(): String? = this?.name?.lowercase()

/** Two conv3×3 + max-pool stages, dense 128, classifier (421,642 parameters on Fashion-MNIST). */
fun cnn(): ModelSpec = model("cnn")

/** CIFAR-style ResNet-18 (3×3 stem), with batch norm (default), layer norm or none. */
fun resnet18(norm: Norm? = null): ModelSpec = model("resnet18", "norm" to norm.key())

/** CIFAR-style ResNet-34; `norm = Norm.None` is the CDAT paper's BN-free variant. */
fun resnet34(norm: Norm? = null): ModelSpec = model("resnet34", "norm" to norm.key())

/** MLP-Mixer on p×p patches (catalog `mixer`: tiny, patch 4). */
fun mlpMixer(size: MixerSize? = null, patch: Int? = null): ModelSpec = model("mixer", "size" to size.key(), "patch" to patch)

/** A Vision Transformer (catalog `vit`; defaults: ViT-Tiny, dim 192, depth 12, 3 heads, patch 7). */
fun vit(patch: Int? = null, dim: Int? = null, depth: Int? = null, heads: Int? = null): ModelSpec =
    model("vit", "patch" to patch, "dim" to dim, "depth" to depth, "heads" to heads)

/** ViT-Tiny (dim 192, depth 12, 3 heads) on p×p patches: [vit] with its defaults. */
fun vitTiny(patch: Int? = null): ModelSpec = vit(patch = patch)

/** Character-level GPT (catalog `nanolm`: 2 layers, dim 128, 4 heads); context and vocabulary come from the text data. */
fun nanoLM(layers: Int? = null, dim: Int? = null, heads: Int? = null): ModelSpec = model("nanolm", "layers" to layers, "dim" to dim, "heads" to heads)

/** LSTM (catalog `lstm`: hidden 128, embedding 64): a sequence classifier over image rows, or on text a character language model. */
fun lstm(hidden: Int? = null, embedding: Int? = null): ModelSpec = model("lstm", "hidden" to hidden, "embedding" to embedding)

/** An MLP `widths[0] → … → widths[last]`, e.g. `mlp(784, 256, 256, 10)` (catalog `mlp`: ReLU, biases, He init). */
fun mlp(vararg widths: Long, activation: Activation? = null, bias: Boolean? = null, init: Init? = null): ModelSpec =
    model("mlp", "widths" to widths.map { it.toInt() }, "activation" to activation.key(), "bias" to bias, "init" to init.key())

fun mlp(vararg widths: Int, activation: Activation? = null, bias: Boolean? = null, init: Init? = null): ModelSpec =
    mlp(*widths.map { it.toLong() }.toLongArray(), activation = activation, bias = bias, init = init)

/** A model in the command line's syntax, e.g. `model("mlp:784-100-10:tanh")`, `model("resnet34:none")`, `model("vit:patch=4,dim=64")`. */
fun model(spec: String): ModelSpec = CatalogModel(SpecText.model(spec))
