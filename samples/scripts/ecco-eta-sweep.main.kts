// ECCO-DNN's one hyperparameter over three decades, against Adam over a learning-rate grid (the claim of Fiscko et al., arXiv 2310.13901; docs/methods.md §1.1, §1.6):
//   ./tuneless script samples/scripts/ecco-eta-sweep.main.kts [steps] [out-dir]
// Writes ecco.csv, adam.csv and their sensitivity plots (SVG) and prints both tables with a sensitivity line each.
import org.tuneless.dsl.*
import java.nio.file.Path

val budget = args.getOrNull(0)?.toInt() ?: 100  // optimizer steps per run
val out = Path.of(args.getOrNull(1) ?: "runs/ecco-eta-sweep")

/** The same small problem for every trial; only the optimizer differs. */
fun TrainingBuilder.problem(opt: OptimizerSpec) {
    model = mlp(784, 64, 10)
    data = fashionMnist(subset = 1024)
    optimizer = opt
    steps = budget
    batchSize(128)
    evaluate(every = budget)
}

val ecco = sweep {
    parameter("eta", logRange(0.1, 100.0, points = 4))
    seeds(0, 1)
    trial { p -> problem(ecco(eta = p["eta"])) }
}
val adam = sweep {
    parameter("lr", logRange(1e-4, 1e-1, points = 4))
    seeds(0, 1)
    trial { p -> problem(adam(lr = p["lr"])) }
}
println(ecco.table())
println(ecco.sensitivity("eta", withinPercent = 10.0))
println(adam.table())
println(adam.sensitivity("lr", withinPercent = 10.0))
println("wrote " + ecco.writeCsv(out.resolve("ecco.csv")) + " and " + adam.writeCsv(out.resolve("adam.csv")))
org.tuneless.plot.SweepPlots.sensitivity(ecco, "eta").save(out.resolve("ecco-sensitivity.svg"))
org.tuneless.plot.SweepPlots.sensitivity(adam, "lr").save(out.resolve("adam-sensitivity.svg"))
println("plots: ecco-sensitivity.svg, adam-sensitivity.svg in " + out)
