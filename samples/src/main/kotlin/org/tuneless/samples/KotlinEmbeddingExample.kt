package org.tuneless.samples

import org.tuneless.dsl.FullBatch
import org.tuneless.dsl.adam
import org.tuneless.dsl.agd
import org.tuneless.dsl.fashionMnist
import org.tuneless.dsl.mlp
import org.tuneless.dsl.train

/**
 * Embedding Tuneless in a Kotlin application: train the same MLP with a tuned Adam and with hyperparameter-free AGD,
 * then read the results. Run with the samples jar and `samples/target/lib` on the classpath: `org.tuneless.samples.KotlinEmbeddingExampleKt [steps]`
 */
fun main(args: Array<String>) {
    val budget = args.firstOrNull()?.toInt() ?: 200
    val runs = listOf(adam(lr = 1e-3), agd()).map { opt ->
        train {
            model = mlp(784, 64, 10)
            data = fashionMnist(subset = 1024)
            optimizer = opt
            steps = budget
            batchSize = FullBatch
            evaluate(every = 50)
        }
    }
    for (run in runs) {
        val test = run.lastEvaluation("test").orElseThrow()
        println("%-16s final train loss %.4f, test accuracy %.1f%%, %d steps in %.1f s".format(
            run.label(), run.finalLoss(), 100 * test.accuracy(), run.history().size, run.seconds()))
    }
}
