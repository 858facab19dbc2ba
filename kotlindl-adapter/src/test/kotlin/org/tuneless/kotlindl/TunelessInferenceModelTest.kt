package org.tuneless.kotlindl

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.string.shouldContain
import kotlin.math.abs
import kotlin.math.exp
import org.jetbrains.kotlinx.dl.api.inference.InferenceModel
import org.tuneless.data.FashionMnist
import org.tuneless.dsl.adam
import org.tuneless.dsl.fashionMnist
import org.tuneless.dsl.mlp
import org.tuneless.dsl.train
import org.tuneless.nn.Network
import org.tuneless.train.TrainingStatus

class TunelessInferenceModelTest : FunSpec({

    val run = train { model = mlp(784, 32, 10); data = fashionMnist(subset = 256); optimizer = adam(lr = 3e-3); steps = 40 }
    val trained: Network = run.network().get()
    val test = FashionMnist.embedded().test()
    val n = 64
    val rows: Array<FloatArray> = Array(n) { test.inputs().getRow(it.toLong()).toFloatVector() }
    val labels = IntArray(n) { test.targets().getRow(it.toLong()).argMax().getInt(0) }
    // the network's own outputs, softmax computed here in double precision, one example at a time
    val logits = trained.predict(test.inputs().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n))).toFloatMatrix()
    fun softmax(z: FloatArray): DoubleArray {
        val m = z.max()
        val e = z.map { exp((it - m).toDouble()) }
        return e.map { it / e.sum() }.toDoubleArray()
    }
    fun argmax(z: FloatArray) = z.indices.maxByOrNull { z[it] }!!

    test("a trained network is a KotlinDL InferenceModel that predicts what the network predicts") {
        run.status() shouldBe TrainingStatus.COMPLETED
        val model: InferenceModel = run.asInferenceModel()
        model.inputDimensions.toList() shouldBe listOf(784L)
        var agree = 0
        for (i in 0 until n) {
            val p = model.predictSoftly(rows[i])
            val want = softmax(logits[i])
            p.size shouldBe 10
            for (k in 0 until 10) abs(p[k] - want[k]) shouldBeLessThanOrEq 2e-6
            abs(p.sum() - 1.0) shouldBeLessThanOrEq 1e-5
            model.predict(rows[i]) shouldBe argmax(logits[i])
            if (model.predict(rows[i]) == labels[i]) agree++
        }
        // 40 Adam steps on 256 images: well above chance (10%) on held-out images
        (agree.toDouble() / n) shouldBeGreaterThan 0.4
        val tm = model as TunelessInferenceModel
        tm.predictBatch(rows).toList() shouldBe (0 until n).map { argmax(logits[it]) }
        // one pass over all rows (a batched GEMM: float32 rounding differs from one row at a time)
        tm.predictSoftlyBatch(rows).forEachIndexed { i, p ->
            val want = softmax(logits[i])
            for (k in 0 until 10) abs(p[k] - want[k]) shouldBeLessThanOrEq 2e-6
        }
        // without softmax: exactly the network's own outputs for that one example
        TunelessInferenceModel(trained, softmax = false).predictSoftly(rows[3]).toList() shouldBe
            trained.predict(test.inputs().getRow(3).reshape(1, 784)).toFloatVector().toList()
    }

    test("the model is a snapshot: training the network further does not change it; copies") {
        val net = trained.copy()
        val model = net.asInferenceModel()
        val before = model.predictSoftly(rows[0])
        net.parameters().muli(0.0)
        model.predictSoftly(rows[0]).toList() shouldBe before.toList()
        model.copy().predictSoftly(rows[0]).toList() shouldBe before.toList()
        model.copy(copyWeights = false).predictSoftly(rows[0]).toList() shouldNotBe before.toList()
        model.reshape(784)
        model.reshape(1, 784)
    }

    test("bad input is rejected with the problem and the fix") {
        val model = trained.asInferenceModel()
        shouldThrow<IllegalArgumentException> { model.predict(FloatArray(10)) }.message shouldContain
            "has 10 values but the network expects 784"
        shouldThrow<IllegalArgumentException> { model.predictSoftly(rows[0], "logits") }.message shouldContain
            "single, unnamed output"
        shouldThrow<IllegalArgumentException> { model.reshape(28, 28) }.message shouldContain
            "fixed input shape [784]"
        model.close()
        shouldThrow<IllegalStateException> { model.predict(rows[0]) }.message shouldContain "was closed"
    }
})

private infix fun Double.shouldBeLessThanOrEq(limit: Double) {
    if (!(this <= limit)) throw AssertionError("$this should be <= $limit")
}
private infix fun Float.shouldBeLessThanOrEq(limit: Double) = this.toDouble().shouldBeLessThanOrEq(limit)
