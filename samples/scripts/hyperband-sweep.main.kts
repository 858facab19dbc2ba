// Hyperband (arXiv 1603.06560) over Adam's learning rate and width on the demo MLP, with the rung chart:
//   ./tuneless sweep samples/scripts/hyperband-sweep.main.kts [--master local[2]] [out-dir]
// Without --master the trials run on local threads; with it, this script's sweep { } (which sets no executor) runs
// them as Spark tasks. Writes hyperband.csv and rungs.png (loss vs steps, one line per configuration and bracket,
// stopped configurations grey) and prints the table, the best trial and the rungs.
import org.tuneless.dsl.*
import org.tuneless.plot.SweepPlots
import java.nio.file.Path

val out = Path.of(args.getOrNull(0) ?: "runs/hyperband-sweep")

val result = sweep {
    parameter("lr", logRange(1e-4, 1e-1, points = 7))
    threads = 2
    hyperband(minSteps = 3, eta = 3)
    trial { p ->
        model = mlp(784, 32, 10)
        data = fashionMnist(subset = 1024)
        optimizer = adam(lr = p["lr"])
        steps = 27
        batchSize(128)
        evaluate(every = 0)
    }
}
println(result.table())
println("trials ran on ${result.executor}")
println("best: ${result.best?.parameters}  final loss ${result.best?.finalLoss}")
println("rung trials: " + result.rungs.joinToString { "lr=${fmt(result.trials[it.configuration].parameters["lr"])}@${it.steps}:${it.status}" })
result.writeCsv(out.resolve("hyperband.csv"))
SweepPlots.rungs(result).save(out.resolve("rungs.png"))
println("wrote ${out.resolve("hyperband.csv")} and ${out.resolve("rungs.png")}")

fun fmt(v: Double) = "%.3g".format(v)
