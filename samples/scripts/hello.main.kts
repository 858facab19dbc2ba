// The README's DSL example as a script: ./tuneless script samples/scripts/hello.main.kts [steps]
import org.tuneless.dsl.*

val run = train {
    model = mlp(784, 64, 10)
    data = fashionMnist(subset = 1024)
    optimizer = ecco(eta = 10.0)
    steps = args.getOrNull(0)?.toInt() ?: 50
    batchSize = FullBatch
    track { sharpness(every = 10) }
    evaluate(every = 25)
}
print(run.summary())
// Results read as Kotlin properties: run.finalLoss, run.status, run.history, run.testAccuracy, …
println("final loss %.4f, status %s, %d steps, test accuracy %.3f".format(run.finalLoss, run.status, run.history.size, run.testAccuracy ?: Double.NaN))
