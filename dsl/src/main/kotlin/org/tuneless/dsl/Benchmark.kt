package org.tuneless.dsl

import java.nio.file.Path
import org.tuneless.bench.Benchmark
import org.tuneless.bench.BenchRow
import org.tuneless.bench.BenchmarkResult
import org.tuneless.bench.Claims
import org.tuneless.bench.Contender
import org.tuneless.bench.Contenders
import org.tuneless.bench.PerformanceProfile
import org.tuneless.bench.Ruleset
import org.tuneless.bench.Suite
import org.tuneless.run.LocalExecutor

/** The built-in suite at its smoke level (every workload, a tiny budget). */
fun smoke(): Suite = Suite.smoke()

/** The built-in suite at its standard level (≤ 1 hour on 2 cores for the standard optimizer list). */
fun standard(): Suite = Suite.standard()

/** The built-in suite at its full level (for a cluster; set its targets first). */
fun full(): Suite = Suite.full()

/** A suite file (your own workloads) at `level` (null: standard, or the file's only level). */
fun suiteFile(path: String, level: String? = null): Suite = Suite.named(if (level == null) path else "$path#$level")

/**
 * Configures a benchmark: `suite`, the optimizers (self-tuning at their defaults: `optimizers(prodigy(), adam())`;
 * presets by name: `optimizers("adam-tuned", "ecco-eta")`; external tuning: `tuned(adam(), "lr", logRange(1e-4, 1e-1, 7))`),
 * `seeds(0, 1, 2)`, `threads`, `tuningSeeds`, `out` (results.csv streamed there; an existing directory continues).
 */
class BenchmarkBuilder {
    var suite: Suite = smoke()
    var threads: Int = Runtime.getRuntime().availableProcessors()

    /** Where the trials run: null = [threads] local threads; e.g. `org.tuneless.distributed.SparkExecutor("local[4]")`. */
    var executor: org.tuneless.run.TrialExecutor? = null
    /** External-tuning grids run on the first `tuningSeeds` seeds. */
    var tuningSeeds: Int = 1
    /** Output directory (null = in memory only). */
    var out: Path? = null
    internal val contenders = ArrayList<Contender>()
    internal var seedList: List<Long> = listOf(0L)
    internal var only: List<String>? = null
    internal var onProgress: ((Int, Int, BenchRow) -> Unit)? = null

    /** Self-tuning optimizers at the given settings, named by their catalog name. */
    fun optimizers(vararg specs: OptimizerSpec) { specs.forEach { contenders += Contender.self(it.spec.name(), it.spec) } }

    /** Presets by name (`./tuneless bench --help` lists them), e.g. "adam-tuned", "ecco-eta-nocap". */
    fun optimizers(vararg presets: String) { presets.forEach { contenders += Contenders.parse(it) } }

    /** A self-tuning optimizer under a name of your choice. */
    fun optimizer(name: String, spec: OptimizerSpec) { contenders += Contender.self(name, spec.spec) }

    /** External tuning of `knob` (a parameter of the optimizer, e.g. "lr", "eta", "scale") over `values`. */
    fun tuned(spec: OptimizerSpec, knob: String, values: Values, name: String = "${spec.spec.name()}-tuned") {
        contenders += Contender.tuned(name, spec.spec, knob, values.grid)
    }

    fun seeds(vararg s: Long) { seedList = s.toList() }

    fun seeds(vararg s: Int) { seedList = s.map { it.toLong() } }

    /** Only these workloads of the suite. */
    fun workloads(vararg names: String) { only = names.toList() }

    /** Called after each finished run with (done, total, row). */
    fun progress(block: (Int, Int, BenchRow) -> Unit) { onProgress = block }

    internal fun build(): Benchmark {
        val s = only?.let { suite.only(it) } ?: suite
        val b = Benchmark.builder().suite(s).contenders(contenders).seeds(seedList).tuningSeeds(tuningSeeds)
            .executor(executor ?: LocalExecutor(threads))
        out?.let { b.out(it) }
        onProgress?.let { p -> b.progress { d, t, r -> p(d, t, r) } }
        return b.build()
    }
}

/** Runs a benchmark and returns its result (`result.leaderboard`, `result.claims`, `result.writeReport(dir)`). */
fun benchmark(block: BenchmarkBuilder.() -> Unit): BenchmarkResult = BenchmarkBuilder().apply(block).build().run()

/** Every run (one results.csv row each). */
val BenchmarkResult.runs: List<BenchRow> get() = rows()

/** The workloads, in suite order. */
val BenchmarkResult.workloadNames: List<String> get() = workloads()

/** The optimizers, in the order they were given. */
val BenchmarkResult.optimizerNames: List<String> get() = optimizers()

/** leaderboard.md as text. */
val BenchmarkResult.leaderboardMarkdown: String get() = leaderboard()

/** The claim checks with their verdicts. */
val BenchmarkResult.claimChecks: List<Claims.Check> get() = claims()

/** The performance profile of each ruleset and of all optimizers together (key null). */
val BenchmarkResult.profiles: Map<Ruleset?, PerformanceProfile>
    get() = buildMap {
        put(null, profile(null))
        for (r in Ruleset.values()) if (optimizers(r).isNotEmpty()) put(r, profile(r))
    }

/** A stored benchmark (a directory with results.csv). */
fun readBenchmark(dir: String): BenchmarkResult = BenchmarkResult.read(Path.of(dir))
