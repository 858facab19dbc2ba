package org.tuneless.dsl

import java.nio.file.Files
import java.nio.file.Path
import java.util.Locale
import java.util.concurrent.Callable
import java.util.concurrent.Executors
import kotlin.math.exp
import kotlin.math.ln
import kotlin.math.log10
import org.tuneless.metrics.Csv
import org.tuneless.train.TrainingStatus

/** The values a swept hyperparameter takes: a grid, and (for random search) how to draw from its range. */
class Values internal constructor(val grid: List<Double>, internal val draw: (java.util.Random) -> Double) {
    override fun toString() = grid.toString()
}

/** Listed values; random search picks among them. */
fun values(vararg v: Double): Values {
    require(v.isNotEmpty()) { "values(): give at least one value" }
    return Values(v.toList()) { rng -> v[rng.nextInt(v.size)] }
}

/** [points] log-spaced values from [from] to [to] (both > 0); random search draws log-uniformly in [from, to]. */
fun logRange(from: Double, to: Double, points: Int): Values {
    require(from > 0 && to > 0) { "logRange($from, $to): both ends must be positive" }
    require(points >= 2) { "logRange: points = $points must be ≥ 2" }
    val a = ln(from)
    val b = ln(to)
    val grid = (0 until points).map { exp(a + (b - a) * it / (points - 1)) }
    return Values(grid) { rng -> exp(a + (b - a) * rng.nextDouble()) }
}

/** [points] evenly spaced values from [from] to [to]; random search draws uniformly. */
fun linRange(from: Double, to: Double, points: Int): Values {
    require(points >= 2) { "linRange: points = $points must be ≥ 2" }
    return Values((0 until points).map { from + (to - from) * it / (points - 1) }) { rng -> from + (to - from) * rng.nextDouble() }
}

/** The hyperparameter values of one trial, read by name: `p["eta"]`. */
class TrialParameters(val values: Map<String, Double>, val seed: Long) {
    operator fun get(name: String): Double =
        values[name] ?: throw IllegalArgumentException("no swept parameter '$name'; the sweep has ${values.keys}")

    override fun toString() = values.entries.joinToString(", ") { "${it.key}=${fmt(it.value)}" } + ", seed=$seed"
}

/**
 * A grid or random search over named hyperparameters, repeated over seeds, run in parallel:
 * ```
 * val result = sweep {
 *     parameter("eta", logRange(0.1, 100.0, points = 4))
 *     seeds(0, 1)
 *     trial { p -> model = mlp(784, 32, 10); data = fashionMnist(subset = 512); steps = 100; optimizer = ecco(eta = p["eta"]) }
 * }
 * println(result.table()); println(result.sensitivity("eta"))
 * ```
 */
@TunelessDsl
class SweepBuilder {
    private val parameters = linkedMapOf<String, Values>()
    private var seeds: List<Long> = listOf(0)
    private var configure: (TrainingBuilder.(TrialParameters) -> Unit)? = null
    private var randomTrials: Int? = null
    private var randomSeed: Long = 0
    /** Trials running at once (default: the machine's processors). */
    var threads: Int = Runtime.getRuntime().availableProcessors()

    /**
     * Where the trials run: null (the default) = [threads] local threads; any [org.tuneless.run.TrialExecutor], e.g.
     * `org.tuneless.distributed.SparkExecutor("local[4]")` (module tuneless-distributed) or `LocalExecutor(2)`. Trials
     * then travel as run specs, so a trial's model must come from the catalog and it may not install plug-ins.
     */
    var executor: org.tuneless.run.TrialExecutor? = null

    private var earlyStopping: Triple<String, Long, Int>? = null

    /**
     * Early stopping by ASHA (asynchronous successive halving, arXiv 1810.05934): every configuration first trains
     * [minSteps] steps, and the top 1/[eta] of each rung go on with [eta] times the steps, up to the trial's `steps`;
     * [threads] trials run at once (on [executor] if set). Configurations stopped below the top rung are `STOPPED`.
     * Trials travel as run specs (catalog models, no plug-ins); they are compared by their last test loss (else the
     * final training loss).
     */
    fun asha(minSteps: Int, eta: Int = 3) {
        require(minSteps >= 1) { "asha(minSteps = $minSteps): a number of steps ≥ 1" }
        require(eta >= 2) { "asha(eta = $eta): the reduction factor must be ≥ 2 (3 is usual)" }
        earlyStopping = Triple("asha", minSteps.toLong(), eta)
    }

    /**
     * Early stopping by Hyperband (arXiv 1603.06560): brackets s = s_max … 0 of successive halving, bracket s starting
     * n = ⌈(s_max+1)/(s+1)·η^s⌉ configurations (taken in order from the grid or the random draws, cycling) at
     * `steps`·η^−s steps, at least [minSteps]; the best 1/[eta] of each rung go on with [eta] times the steps. The
     * result has one row per configuration (its furthest trial) and every trial in [SweepResult.rungs]. As with
     * [asha], trials travel as run specs and are compared by their last test loss (else the final training loss).
     */
    fun hyperband(minSteps: Int, eta: Int = 3) {
        require(minSteps >= 1) { "hyperband(minSteps = $minSteps): a number of steps ≥ 1" }
        require(eta >= 2) { "hyperband(eta = $eta): the reduction factor must be ≥ 2 (3 is usual)" }
        earlyStopping = Triple("hyperband", minSteps.toLong(), eta)
    }

    fun parameter(name: String, values: Values) {
        require(name !in parameters) { "parameter '$name' is swept twice" }
        parameters[name] = values
    }

    fun seeds(vararg s: Long) {
        require(s.isNotEmpty()) { "seeds(): give at least one seed" }
        seeds = s.toList()
    }

    fun seeds(vararg s: Int) = seeds(*s.map { it.toLong() }.toLongArray())

    /** Random search: [trials] configurations drawn from the parameters' ranges instead of the full grid. */
    fun random(trials: Int, seed: Long = 0) {
        require(trials > 0) { "random(trials = $trials): must be positive" }
        randomTrials = trials
        randomSeed = seed
    }

    /** How to configure a run for one trial's parameters. */
    fun trial(block: TrainingBuilder.(TrialParameters) -> Unit) {
        configure = block
    }

    internal fun configurations(): List<TrialParameters> {
        val names = parameters.keys.toList()
        val points: List<Map<String, Double>> = if (randomTrials != null) {
            val rng = java.util.Random(randomSeed)
            List(randomTrials!!) { names.associateWith { parameters.getValue(it).draw(rng) } }
        } else {
            names.fold(listOf(emptyMap())) { acc, name -> acc.flatMap { m -> parameters.getValue(name).grid.map { m + (name to it) } } }
        }
        return points.flatMap { p -> seeds.map { TrialParameters(p, it) } }
    }

    internal fun run(): SweepResult {
        val block = configure ?: throw IllegalArgumentException("sweep: no trial { } block: say how to configure a run from the parameters")
        require(threads >= 1) { "sweep: threads = $threads must be ≥ 1" }
        val configs = configurations()
        val created = if (executor == null) masterExecutor() else null
        try {
            val exec = executor ?: created
            val where = exec?.toString() ?: "$threads local thread${if (threads == 1) "" else "s"}"
            earlyStopping?.let { (kind, minSteps, eta) -> return runEarlyStopping(configs, block, kind, minSteps, eta, exec).ranOn(where) }
            exec?.let { return runOn(it, configs, block).ranOn(where) }
            return runOnThreads(configs, block).ranOn(where)
        } finally {
            created?.close()
        }
    }

    private fun runOnThreads(configs: List<TrialParameters>, block: TrainingBuilder.(TrialParameters) -> Unit): SweepResult {
        val pool = Executors.newFixedThreadPool(threads)
        try {
            val futures = configs.mapIndexed { index, p ->
                pool.submit(Callable { runTrial(index, p, block) })
            }
            return SweepResult(parameters.keys.toList(), futures.map { it.get() })
        } catch (e: InterruptedException) {
            pool.shutdownNow()  // the caller was interrupted: stop the trials still running instead of leaving them behind
            throw e
        } finally {
            pool.shutdown()
        }
    }

    /** A sweep row from an executor's result (test accuracy = the last test evaluation's, NaN without one). */
    private fun fromResult(index: Int, p: TrialParameters, r: org.tuneless.run.TrialResult, status: String, seconds: Double, message: String,
                           spec: org.tuneless.run.RunSpec): TrialResult =
        TrialResult(index, p, status, r.finalLoss(), r.bestLoss(), r.evaluations().lastOrNull { it.split() == "test" }?.accuracy() ?: Double.NaN,
            seconds, message, spec)

    private fun specOf(index: Int, p: TrialParameters, block: TrainingBuilder.(TrialParameters) -> Unit, where: String): org.tuneless.run.RunSpec {
        val b = trialBuilder(p, block)
        require(b.model is CatalogModel) {
            "trial $index: $where runs trials from their run specs, and this trial's model (${b.model}) is not a catalog " +
                "model; use a catalog model (mlp(…), cnn(), resnet18(), …) or run the sweep on local threads (no executor)"
        }
        require(b.plugins.isEmpty()) {
            "trial $index: $where runs trials from their run specs, which cannot carry install(…) plug-ins; run the sweep on local threads (no executor)"
        }
        return b.spec()
    }

    /**
     * ASHA or Hyperband over the configurations that can be built (one that cannot is a FAILED row, as with threads):
     * one row per configuration (its furthest trial: STOPPED below the full budget), every trial in [SweepResult.rungs].
     */
    private fun runEarlyStopping(configs: List<TrialParameters>, block: TrainingBuilder.(TrialParameters) -> Unit, kind: String, minSteps: Long, eta: Int,
                                 exec: org.tuneless.run.TrialExecutor?): SweepResult {
        val rows = arrayOfNulls<TrialResult>(configs.size)
        val specs = arrayOfNulls<org.tuneless.run.RunSpec>(configs.size)
        configs.forEachIndexed { i, p ->
            try {
                specs[i] = specOf(i, p, block, "$kind(…)")
            } catch (e: Throwable) {
                if (e is InterruptedException) throw e
                rows[i] = TrialResult(i, p, "FAILED", Double.NaN, Double.NaN, Double.NaN, 0.0, "${e.javaClass.simpleName}: ${e.message ?: e.toString()}")
            }
        }
        val good = configs.indices.filter { specs[it] != null }
        if (good.isEmpty()) return SweepResult(parameters.keys.toList(), rows.map { it!! })
        val goodSpecs = good.map { specs[it]!! }
        val maxSteps = goodSpecs.maxOf { it.steps() }
        require(goodSpecs.all { it.steps() == maxSteps }) { "$kind(…): every trial needs the same steps (the top rung's budget); got ${goodSpecs.map { it.steps() }.distinct()}" }
        require(minSteps <= maxSteps) { "$kind(minSteps = $minSteps): more than the trials' $maxSteps steps" }
        val on = exec ?: org.tuneless.run.LocalExecutor(1)
        val outcomes: List<org.tuneless.run.EarlyStopping.Outcome>
        val top: (org.tuneless.run.EarlyStopping.Outcome) -> Int
        if (kind == "asha") {
            val r = org.tuneless.run.EarlyStopping.asha(goodSpecs, on, threads, minSteps, maxSteps, eta, org.tuneless.run.EarlyStopping::lastTestLoss)
            outcomes = r.trials()
            top = { r.topRung() }
        } else {
            val h = org.tuneless.run.EarlyStopping.hyperband(goodSpecs, on, threads, minSteps, maxSteps, eta, org.tuneless.run.EarlyStopping::lastTestLoss,
                org.tuneless.run.EarlyStopping.TrialIds.DEFAULT, null)
            outcomes = h.trials()
            top = { o -> o.bracket() }  // bracket s has rungs 0 … s
        }
        val rungs = outcomes.map { o ->
            val r = o.result()
            val promoted = outcomes.any { it.configuration() == o.configuration() && it.bracket() == o.bracket() && it.rung() > o.rung() }
            val status = when {
                r.status() != TrainingStatus.COMPLETED.name -> r.status()
                promoted -> "PROMOTED"
                o.rung() < top(o) -> "STOPPED"
                else -> r.status()
            }
            RungTrial(good[o.configuration()], o.bracket().takeIf { it >= 0 }, o.rung(), o.steps(), o.value(), status)
        }
        val byConfig = outcomes.groupBy { it.configuration() }
        for ((k, i) in good.withIndex()) {
            val mine = byConfig[k]
            if (mine == null) {
                rows[i] = TrialResult(i, configs[i], "SKIPPED", Double.NaN, Double.NaN, Double.NaN, 0.0,
                    "not drawn by any Hyperband bracket (the brackets take ${outcomes.map { it.configuration() }.distinct().size} configurations)", specs[i])
                continue
            }
            val o = mine.sortedWith(compareByDescending<org.tuneless.run.EarlyStopping.Outcome> { it.steps() }
                .thenBy { if (it.value().isFinite()) it.value() else Double.POSITIVE_INFINITY }).first()
            val r = o.result()
            val stopped = o.steps() < maxSteps && r.status() == TrainingStatus.COMPLETED.name
            rows[i] = fromResult(i, configs[i], r, if (stopped) "STOPPED" else r.status(), mine.sumOf { it.result().seconds() },
                if (stopped) "stopped early at rung ${o.rung()}${if (o.bracket() >= 0) " of bracket ${o.bracket()}" else ""} (${o.steps()} of $maxSteps steps)" else r.message(),
                specs[i]!!).copy(rung = o.rung(), bracket = o.bracket().takeIf { it >= 0 }, steps = o.steps())
        }
        return SweepResult(parameters.keys.toList(), rows.map { it!! }, rungs)
    }

    /**
     * The executor named by the system property `tuneless.master` (or the environment variable `TUNELESS_MASTER`), set
     * by `./tuneless sweep FILE.main.kts --master URL`: a SparkExecutor of module tuneless-distributed, loaded by name;
     * null when neither is set.
     */
    private fun masterExecutor(): org.tuneless.run.TrialExecutor? {
        val master = System.getProperty("tuneless.master")?.takeIf { it.isNotBlank() } ?: System.getenv("TUNELESS_MASTER")?.takeIf { it.isNotBlank() } ?: return null
        return sparkExecutor(master, emptyMap(), "tuneless.master = $master")
    }

    /** Runs the trials as specs on [executor]; a configuration that fails to build is a FAILED trial, as with threads. */
    private fun runOn(executor: org.tuneless.run.TrialExecutor, configs: List<TrialParameters>, block: TrainingBuilder.(TrialParameters) -> Unit): SweepResult {
        val results = arrayOfNulls<TrialResult>(configs.size)
        val trials = ArrayList<org.tuneless.run.Trial>()
        configs.forEachIndexed { index, p ->
            try {
                trials += org.tuneless.run.Trial(index.toString(), specOf(index, p, block, "executor = $executor"))
            } catch (e: Throwable) {
                if (e is InterruptedException) throw e
                results[index] = TrialResult(index, p, "FAILED", Double.NaN, Double.NaN, Double.NaN, 0.0, "${e.javaClass.simpleName}: ${e.message ?: e.toString()}")
            }
        }
        for (r in executor.run(trials, null)) {
            val index = r.id().toInt()
            results[index] = fromResult(index, configs[index], r, r.status(), r.seconds(), r.message(), r.spec())
        }
        return SweepResult(parameters.keys.toList(), results.mapIndexed { i, r ->
            r ?: TrialResult(i, configs[i], "INTERRUPTED", Double.NaN, Double.NaN, Double.NaN, 0.0, "not run: the executor stopped before this trial")
        })
    }

    /** The trial of [p] as a run spec (print it with `toDsl()`, save it with `toJson()`). */
    internal fun trialBuilder(p: TrialParameters, block: TrainingBuilder.(TrialParameters) -> Unit): TrainingBuilder {
        val builder = TrainingBuilder().apply { seed = p.seed }
        builder.block(p)
        builder.seed = p.seed
        return builder
    }

    /** Every trial of the sweep as a [RunSpec], in trial order, without running them. */
    fun trialSpecs(): List<org.tuneless.run.RunSpec> {
        val block = configure ?: throw IllegalArgumentException("sweep: no trial { } block: say how to configure a run from the parameters")
        return configurations().map { trialBuilder(it, block).spec() }
    }

    private fun runTrial(index: Int, p: TrialParameters, block: TrainingBuilder.(TrialParameters) -> Unit): TrialResult {
        val start = System.nanoTime()
        var spec: org.tuneless.run.RunSpec? = null
        return try {
            val builder = trialBuilder(p, block)
            spec = builder.spec()
            val run = builder.wire().run()
            TrialResult(index, p, run.status().name, run.finalLoss(), run.bestLoss(),
                run.lastEvaluation("test").map { it.accuracy() }.orElse(Double.NaN), (System.nanoTime() - start) / 1e9, run.statusMessage(), spec)
        } catch (e: Throwable) {
            // every Throwable, Errors such as Kotlin's TODO() (NotImplementedError) or an OutOfMemoryError of one trial
            // included: a trial's failure is recorded and never stops the sweep or loses the other trials' results
            if (e is InterruptedException) Thread.currentThread().interrupt()
            TrialResult(index, p, "FAILED", Double.NaN, Double.NaN, Double.NaN, (System.nanoTime() - start) / 1e9,
                "${e.javaClass.simpleName}: ${e.message ?: e.toString()}", spec)
        }
    }
}

/** One trial of a sweep. Status is a [TrainingStatus] name or FAILED (the configuration could not run). */
data class TrialResult(
    val index: Int, val parameters: TrialParameters, val status: String, val finalLoss: Double, val bestLoss: Double,
    val testAccuracy: Double, val seconds: Double, val message: String,
    /** The trial's run spec (null when the configuration itself failed). */
    val spec: org.tuneless.run.RunSpec? = null,
    /** Under asha/hyperband: the rung of the configuration's furthest trial (null otherwise). */
    val rung: Int? = null,
    /** Under hyperband: the bracket s of that trial (null otherwise). */
    val bracket: Int? = null,
    /** Under asha/hyperband: the steps that trial trained (null otherwise: the run's steps). */
    val steps: Long? = null,
) {
    val diverged: Boolean get() = status == TrainingStatus.DIVERGED.name
    val ok: Boolean get() = status == TrainingStatus.COMPLETED.name && finalLoss.isFinite()
}

/**
 * How sensitive the result is to one hyperparameter: the values whose mean final loss (over seeds and the other
 * parameters' best setting) is within [withinPercent]% of the best — the measure of "hyperparameter-agnostic".
 */
data class SensitivityReport(
    val parameter: String, val withinPercent: Double, val best: Double, val bestLoss: Double,
    val low: Double, val high: Double, val valuesWithin: Int, val valuesTried: Int,
) {
    /** log10(high/low): how many orders of magnitude of the parameter stay within tolerance. */
    val decades: Double get() = if (low > 0 && high > 0) log10(high / low) else Double.NaN

    override fun toString(): String = String.format(
        Locale.ROOT, "%s: best %s (final loss %.4g); within %.0f%% of best for %s ∈ [%s, %s] (%d of %d values, %.1f decades)",
        parameter, fmt(best), bestLoss, withinPercent, parameter, fmt(low), fmt(high), valuesWithin, valuesTried, decades,
    )
}

/**
 * One trial of an asha/hyperband sweep: configuration [configuration] (a [TrialResult.index]) trained [steps] steps at
 * rung [rung] (of bracket [bracket] under Hyperband); [loss] is the value compared (last test loss, else final training
 * loss; NaN when the trial failed); [status] PROMOTED (it went on to the next rung), STOPPED (it did not, below the top
 * rung), or the run's status (COMPLETED at the top rung, DIVERGED, FAILED).
 */
data class RungTrial(val configuration: Int, val bracket: Int?, val rung: Int, val steps: Long, val loss: Double, val status: String)

/** The table of a sweep's trials, with CSV export and sensitivity reports; [rungs] = every trial of an asha/hyperband sweep. */
class SweepResult @JvmOverloads constructor(val parameterNames: List<String>, val trials: List<TrialResult>, val rungs: List<RungTrial> = emptyList(),
                  /** Where the trials ran: `2 local threads`, or the executor, e.g. `SparkExecutor(local[2])`. */
                  val executor: String = "local threads") {

    internal fun ranOn(where: String) = SweepResult(parameterNames, trials, rungs, where)

    /** Whether the sweep ran asha/hyperband (the table and CSV then show rung, bracket and steps). */
    val earlyStopping: Boolean get() = trials.any { it.rung != null }

    /** Mean final loss per value of [parameter] (over seeds and the other parameters). Failed or diverged trials count as +∞. */
    fun meanLossBy(parameter: String): Map<Double, Double> {
        require(parameter in parameterNames) { "no swept parameter '$parameter'; the sweep has $parameterNames" }
        return trials.groupBy { it.parameters[parameter] }.mapValues { (_, ts) ->
            if (ts.any { !it.ok }) Double.POSITIVE_INFINITY else ts.map { it.finalLoss }.average()
        }.toSortedMap()
    }

    fun sensitivity(parameter: String, withinPercent: Double = 10.0): SensitivityReport {
        require(withinPercent >= 0) { "withinPercent = $withinPercent must be ≥ 0" }
        val means = meanLossBy(parameter)
        val finite = means.filterValues { it.isFinite() }
        require(finite.isNotEmpty()) { "every trial of the sweep failed or diverged; no sensitivity for '$parameter'" }
        val (best, bestLoss) = finite.minByOrNull { it.value }!!.toPair()
        val threshold = bestLoss + kotlin.math.abs(bestLoss) * withinPercent / 100
        val within = finite.filterValues { it <= threshold }.keys
        return SensitivityReport(parameter, withinPercent, best, bestLoss, within.minOrNull()!!, within.maxOrNull()!!, within.size, means.size)
    }

    val best: TrialResult? get() = trials.filter { it.ok }.minByOrNull { it.finalLoss }

    /** A plain-text table, one row per trial. */
    fun table(): String {
        val brackets = trials.any { it.bracket != null }
        val header = listOf("#") + parameterNames + listOf("seed") + (if (brackets) listOf("bracket") else emptyList()) +
            (if (earlyStopping) listOf("rung", "steps") else emptyList()) + listOf("status", "final loss", "best loss", "test acc", "time")
        val rows = trials.map { t ->
            listOf(t.index.toString()) + parameterNames.map { fmt(t.parameters[it]) } + listOf(t.parameters.seed.toString()) +
                (if (brackets) listOf(t.bracket?.toString() ?: "-") else emptyList()) +
                (if (earlyStopping) listOf(t.rung?.toString() ?: "-", t.steps?.toString() ?: "-") else emptyList()) + listOf(
                t.status, String.format(Locale.ROOT, "%.4g", t.finalLoss), String.format(Locale.ROOT, "%.4g", t.bestLoss),
                if (t.testAccuracy.isNaN()) "-" else String.format(Locale.ROOT, "%.1f%%", 100 * t.testAccuracy), String.format(Locale.ROOT, "%.1f s", t.seconds),
            )
        }
        val widths = header.indices.map { c -> (rows.map { it[c].length } + header[c].length).maxOrNull()!! }
        fun line(cells: List<String>) = cells.mapIndexed { i, s -> s.padStart(widths[i]) }.joinToString("  ")
        return (listOf(line(header)) + rows.map { line(it) }).joinToString("\n")
    }

    override fun toString() = table()

    /** The columns of [writeCsv] and [toDataFrame]: `trial`, the swept parameters (as column names), then [TRIAL_COLUMNS]. */
    val columns: List<String> get() = listOf("trial") + Csv.columnNames(parameterNames).values + TRIAL_COLUMNS +
        (if (earlyStopping) RUNG_COLUMNS else emptyList())

    /**
     * Writes one row per trial: trial, parameters, seed, status, final/best loss, test accuracy, seconds, message, with
     * the conventions of every Tuneless CSV (docs/run-files.md): parameter names as identifier columns, an empty cell for
     * what was not measured (the losses of a trial that could not run, the accuracy of a regression), `NaN` only for a
     * measured non-finite value, integers as integers.
     */
    fun writeCsv(path: Path): Path {
        path.toAbsolutePath().parent?.let { Files.createDirectories(it) }
        Files.newBufferedWriter(path).use { w ->
            w.write(Csv.line(columns))
            for (t in trials) w.write(Csv.line(cells(t)))
        }
        return path
    }

    private fun cells(t: TrialResult): List<String> {
        val ran = t.status != "FAILED"
        fun measured(v: Double) = if (ran) Csv.real(v) else Csv.MISSING
        return listOf(t.index.toString()) + parameterNames.map { Csv.compact(t.parameters[it]) } + listOf(
            t.parameters.seed.toString(), t.status, measured(t.finalLoss), measured(t.bestLoss),
            if (t.testAccuracy.isNaN()) Csv.MISSING else Csv.real(t.testAccuracy), Csv.real(t.seconds), t.message,
        ) + (if (earlyStopping) listOf(t.bracket?.toString() ?: Csv.MISSING, t.rung?.toString() ?: Csv.MISSING, t.steps?.toString() ?: Csv.MISSING) else emptyList())
    }

    companion object {
        /** The fixed columns after the parameters. */
        val TRIAL_COLUMNS = listOf("seed", "status", "final_loss", "best_loss", "test_accuracy", "seconds", "message")

        /** The columns after [TRIAL_COLUMNS] of an asha/hyperband sweep (empty cells where not applicable). */
        val RUNG_COLUMNS = listOf("bracket", "rung", "steps")
    }
}

fun sweep(block: SweepBuilder.() -> Unit): SweepResult = SweepBuilder().apply(block).run()

internal fun fmt(v: Double): String = if (v != 0.0 && (kotlin.math.abs(v) < 1e-3 || kotlin.math.abs(v) >= 1e4)) {
    String.format(Locale.ROOT, "%.3g", v)
} else {
    String.format(Locale.ROOT, "%.6g", v).trimEnd('0').trimEnd('.')
}

/**
 * Apache Spark as the executor of a `sweep { }` or `benchmark { }`: `executor = spark("local[4]")` (an embedded Spark
 * running 4 trials at once in this JVM) or `spark("spark://host:7077")` (a cluster, e.g. `./tuneless cluster
 * start-local`); [conf] passes Spark settings (`mapOf("spark.executor.memory" to "4g")`). Trials travel as run specs
 * and give the numbers of local threads. Needs the module `tuneless-distributed` on the classpath: `%use tuneless-spark`
 * in a notebook, `./tuneless sweep FILE.main.kts`, or the Maven dependency `org.tuneless:tuneless-distributed`; close
 * the executor (`use { }`) to stop the Spark context it starts.
 */
fun spark(master: String, conf: Map<String, String> = emptyMap()): org.tuneless.run.TrialExecutor = sparkExecutor(master, conf, "spark(\"$master\")")

private fun sparkExecutor(master: String, conf: Map<String, String>, what: String): org.tuneless.run.TrialExecutor {
    val c = try {
        Class.forName("org.tuneless.distributed.SparkExecutor")
    } catch (e: ClassNotFoundException) {
        throw IllegalArgumentException("$what asks for Apache Spark, but the Spark executor (module tuneless-distributed) is not on the classpath; " +
            "in a notebook use %use tuneless-spark, run a script with ./tuneless sweep FILE.main.kts [--master URL] (it adds the module), or depend on " +
            "org.tuneless:tuneless-distributed")
    }
    return try {
        c.getConstructor(String::class.java, Map::class.java).newInstance(master, conf) as org.tuneless.run.TrialExecutor
    } catch (e: java.lang.reflect.InvocationTargetException) {
        throw IllegalArgumentException("$what: ${e.cause?.message ?: e.cause}", e.cause)
    }
}
