package org.tuneless.dsl

import org.nd4j.linalg.api.buffer.DataType
import org.tuneless.nn.Init
import org.tuneless.nn.Models
import org.tuneless.nn.Network

/** How to build a network for a given precision and seed. */
fun interface ModelSpec {
    fun build(type: DataType, seed: Long): Network
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

/** A model spec string as the CLI takes it, e.g. `model("mlp:784-100-10:tanh")`. */
fun model(spec: String): ModelSpec {
    Models.parse(spec)
    return ModelSpec { type, seed -> Models.parse(spec).build(type, seed) }
}
