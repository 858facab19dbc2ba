// AGD (no hyperparameters) against Adam tuned over a learning-rate grid (the claim of Bernstein et al., arXiv 2304.05187, §3.3; docs/methods.md §2):
//   ./tuneless script samples/scripts/agd-vs-adam.main.kts [steps] [out-dir]
import org.tuneless.dsl.*
import java.nio.file.Path

val budget = args.getOrNull(0)?.toInt() ?: 200  // optimizer steps per run
val out = Path.of(args.getOrNull(1) ?: "runs/agd-vs-adam")

val adam = sweep {
    parameter("lr", logRange(1e-4, 1e-1, points = 4))
    trial { p ->
        model = mlp(784, 128, 10); data = fashionMnist(subset = 2048)
        optimizer = adam(lr = p["lr"]); steps = budget; batchSize = FullBatch; evaluate(every = budget)
    }
}
val agd = train {
    model = mlp(784, 128, 10); data = fashionMnist(subset = 2048)
    optimizer = agd(); steps = budget; batchSize = FullBatch; evaluate(every = budget)
}
println(adam.table())
val best = adam.best!!
println("tuned Adam: lr ${best.parameters["lr"]}, final loss ${best.finalLoss}, test accuracy ${best.testAccuracy}")
println("AGD (no tuning): final loss ${agd.finalLoss}, test accuracy ${agd.testAccuracy}")
adam.writeCsv(out.resolve("adam.csv"))
agd.writeTo(out.resolve("agd"))
val bestAdam = train {
    model = mlp(784, 128, 10); data = fashionMnist(subset = 2048); label = "adam(lr=${best.parameters["lr"]})"
    optimizer = adam(lr = best.parameters["lr"]); steps = budget; batchSize = FullBatch; evaluate(every = budget)
}
org.tuneless.plot.RunPlots.compare(listOf(agd, bestAdam)).save(out.resolve("agd-vs-adam.png"))
println("wrote $out")
