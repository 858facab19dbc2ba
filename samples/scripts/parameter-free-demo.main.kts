// The learning-rate-free methods at their defaults on the demo workload (MLP 784-256-256-10, embedded Fashion-MNIST,
// 300 steps of 128), two seeds each, beside Adam at lr 1e-3: ./tuneless script samples/scripts/parameter-free-demo.main.kts
// (~3 minutes on 2 cores). The table in the issue note of the learning-rate-free work was made with it.
import org.tuneless.dsl.*
val methods = listOf<Pair<String, OptimizerSpec>>("adam(lr=1e-3)" to adam(lr = 1e-3), "prodigy" to prodigy(), "sf-adamw" to scheduleFreeAdamW(),
    "dog" to dog(), "ldog" to ldog(), "dadapt-adam" to dadaptAdam(), "dadapt-sgd" to dadaptSgd(), "mechanic()" to mechanic(),
    "mechanic(adam lr 1)" to mechanic(base = adam(lr = 1.0)), "agd" to agd(), "ecco(eta=10)" to ecco(eta = 10.0))
for ((name, opt) in methods) {
    val rs = listOf(0L, 1L).map { s -> train { model = mlp(784, 256, 256, 10); data = fashionMnist(subset = 4096, source = FashionMnistSource.Embedded); steps = 300; batchSize(128); seed = s; optimizer = opt; evaluate(every = 300); progress = false } }
    println("%-20s train loss %s   test acc %s   last lr %s   status %s".format(name,
        rs.joinToString(" / ") { "%.4f".format(it.evaluations.last { e -> e.split() == "train" }.loss()) },
        rs.joinToString(" / ") { "%.1f%%".format(100 * (it.testAccuracy ?: Double.NaN)) },
        rs.joinToString(" / ") { "%.2e".format(it.learningRates.last()) }, rs.joinToString("/") { it.status.toString() }))
}
