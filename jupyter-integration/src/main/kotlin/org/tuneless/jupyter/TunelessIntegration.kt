package org.tuneless.jupyter

import org.jetbrains.kotlinx.jupyter.api.CodePreprocessor
import org.jetbrains.kotlinx.jupyter.api.FieldValue
import org.jetbrains.kotlinx.jupyter.api.RendererHandler
import org.jetbrains.kotlinx.jupyter.api.ResultHandlerExecution
import org.jetbrains.kotlinx.jupyter.api.libraries.ExecutionHost
import org.jetbrains.kotlinx.jupyter.api.HTML
import org.jetbrains.kotlinx.jupyter.api.KotlinKernelHost
import org.jetbrains.kotlinx.jupyter.api.MIME
import org.jetbrains.kotlinx.jupyter.api.MimeTypedResult
import org.jetbrains.kotlinx.jupyter.api.libraries.JupyterIntegration
import org.tuneless.dsl.NotebookHooks
import org.tuneless.dsl.SweepResult
import org.tuneless.plot.RunFigure
import org.tuneless.plot.RunPlots
import org.tuneless.plot.RunTable
import org.tuneless.plot.SweepPlots
import org.tuneless.train.TrainingRun

/** How figures render in the notebook: static SVG (default; offline and on GitHub) or interactive Lets-Plot HTML. */
object TunelessNotebook {
    /** "svg" or "html" — set by `%use tuneless(plots = html)`. */
    @JvmStatic
    var plots: String = "svg"

    /** How often the live progress display of `train { }` is updated, in milliseconds (at most; the last step always shows). */
    @JvmStatic
    var progressMillis: Long = 2000
}

/** `listOf(run1, run2)` renders as the overlaid comparison; any other list renders as usual. */
object RunListRenderer : RendererHandler {
    override fun accepts(value: Any?): Boolean = value is List<*> && value.isNotEmpty() && value.all { it is TrainingRun }

    override val execution: ResultHandlerExecution = object : ResultHandlerExecution {
        override fun execute(host: ExecutionHost, result: FieldValue): FieldValue {
            val runs = (result.value as List<*>).filterIsInstance<TrainingRun>()
            return FieldValue(TunelessIntegration.runs(runs), result.name)
        }

        override fun replaceVariables(mapping: Map<String, String>): ResultHandlerExecution = this
    }

    override fun replaceVariables(mapping: Map<String, String>): RendererHandler = this
}

/**
 * True when a cell calls `train { }`, `train(...)`, `sweep { }` or `sweep(...)` outside comments and string literals —
 * the cells that get live progress. Mentions such as `run.evaluations("train")`, `val trainSet = …` or `// sweep later`
 * do not count, and cells of magics (`%use`) or file annotations (`@file:`) are never rewritten.
 */
fun callsTraining(code: String): Boolean {
    val trimmed = code.trimStart()
    if (trimmed.startsWith("%") || trimmed.startsWith("@file")) return false
    val stripped = code
        .replace(Regex("\"\"\"[\\s\\S]*?\"\"\""), "\"\"")      // raw strings
        .replace(Regex("\"(\\\\.|[^\"\\\\\\n])*\""), "\"\"")     // string literals
        .replace(Regex("/\\*[\\s\\S]*?\\*/"), " ")          // block comments
        .replace(Regex("//[^\\n]*"), " ")                  // line comments
    return Regex("(?<![\\w.])(train|sweep)\\s*[({]").containsMatchIn(stripped)
}

/** Several runs to draw overlaid: `compare(run1, run2)`. */
class RunComparison(val runs: List<TrainingRun>)

fun compare(vararg runs: TrainingRun): RunComparison = RunComparison(runs.toList())

fun compare(runs: List<TrainingRun>): RunComparison = RunComparison(runs)

/**
 * `%use tuneless`: imports the DSL and the core packages, renders training runs, comparisons, sweeps and figures as
 * charts, and shows live progress while `train { }` runs.
 */
class TunelessIntegration : JupyterIntegration() {
    override fun Builder.onLoaded() {
        import("org.tuneless.dsl.*", "org.tuneless.bench.*", "org.tuneless.plot.*", "org.tuneless.jupyter.*", "org.tuneless.train.*", "org.tuneless.nn.*",
            "org.tuneless.optim.*", "org.tuneless.data.*", "org.tuneless.curvature.*", "org.tuneless.objective.*")
        // Live progress needs the host of the executing cell (the one handed to beforeCellExecution cannot display), so
        // cells that train get one line prepended that hands the cell's own host to the DSL.
        addCodePreprocessor(object : CodePreprocessor {
            override fun accepts(code: String) = callsTraining(code)

            override fun process(code: String, host: KotlinKernelHost) =
                CodePreprocessor.Result("org.tuneless.jupyter.LiveProgress.attach(userHandlesProvider.host, userHandlesProvider.notebook); $code")
        })
        afterCellExecution { _, _ -> NotebookHooks.current = null }
        render<TrainingRun> { run -> runs(listOf(run)) }
        render<RunComparison> { c -> runs(c.runs) }
        render<RunFigure> { f -> figure(f, f.panelTitles.joinToString(", ")) }
        render<SweepResult> { s -> sweep(s) }
        render<org.tuneless.bench.BenchmarkResult> { b -> benchmark(b) }
        addRenderer(RunListRenderer)
        render<org.tuneless.curvature.SpectralDensity> { rho -> figure(org.tuneless.plot.SpectrumPlots.density(rho), "spectral density, ${rho.hvps()} HVPs") }
        render<org.tuneless.curvature.Lanczos.Result> { r -> figure(org.tuneless.plot.SpectrumPlots.eigenvalues(r), r.top(10).joinToString(prefix = "top eigenvalues: ")) }
    }

    companion object {
        /**
         * Runs as their chart with the summary table beside it (text/html, what Jupyter front ends and nbconvert show),
         * the chart alone as image/svg+xml (for clients without HTML) and the text summary (text/plain).
         */
        fun runs(runs: List<TrainingRun>): MimeTypedResult {
            val f = RunPlots.compare(runs)
            return figure(f, runs.joinToString("") { it.summary() }, RunTable.html(runs, f.colours))
        }

        fun figure(f: RunFigure, text: String, beside: String? = null): MimeTypedResult {
            val side = beside?.let { "<div style='flex:0 1 auto'>$it</div>" } ?: "<pre>" + escape(text) + "</pre>"
            return if (TunelessNotebook.plots == "html") {
                HTML("<div class='tuneless-run' style='display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start'><div>" +
                    org.jetbrains.letsPlot.core.util.PlotHtmlExport.buildHtmlFromRawSpecs(
                        f.spec(), "https://cdn.jsdelivr.net/gh/JetBrains/lets-plot@v4.1.0/js-package/distr/lets-plot.min.js", true, null,
                    ) + "</div>" + side + "</div>")
            } else {
                val svg = f.toSvg()
                if (beside == null) MIME("image/svg+xml" to svg, "text/plain" to text)
                else MIME(
                    "text/html" to "<div class='tuneless-run' style='display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start'><div>$svg</div>$side</div>",
                    "image/svg+xml" to svg, "text/plain" to text,
                )
            }
        }

        fun sweep(s: SweepResult): MimeTypedResult {
            val table = "<pre>" + escape(s.table()) + "</pre>"
            val first = s.parameterNames.firstOrNull()
            val plot = if (first != null && s.trials.any { it.ok }) {
                val report = s.sensitivity(first)
                "<p>" + escape(report.toString()) + "</p>" + SweepPlots.sensitivity(s, first).toSvg()
            } else ""
            val rungs = if (s.rungs.any { it.loss.isFinite() && it.loss > 0 }) SweepPlots.rungs(s).toSvg() else ""
            return MIME("text/html" to table + plot + rungs, "text/plain" to s.table())
        }

        /**
         * A benchmark: the leaderboard as HTML tables (scores per ruleset and all together, claim verdicts) beside the
         * performance profile of all optimizers; text/plain is leaderboard.md.
         */
        fun benchmark(b: org.tuneless.bench.BenchmarkResult): MimeTypedResult {
            val all = b.profile(null)
            val steps = b.profile(null, true)
            val rows = b.optimizers().sortedByDescending { all.area(it) }.joinToString("") { o ->
                val reached = b.workloads().count { w -> b.cell(o, w).map { it.timeToTarget().isFinite() }.orElse(false) }
                val n = b.workloads().count { w -> b.cell(o, w).isPresent }
                "<tr><td>${escape(o)}</td><td>${b.ruleset(o).label()}</td><td>${"%.3f".format(all.area(o))}</td><td>${"%.3f".format(steps.area(o))}</td><td>$reached/$n</td></tr>"
            }
            val claims = b.claims().joinToString("") { c ->
                "<tr><td>${escape(c.name())}</td><td><b>${c.verdict().label()}</b></td><td style='text-align:left'>${escape(c.numbers())}</td></tr>"
            }
            val html = "<div class='tuneless-bench' style='display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start'><div>" +
                "<p>${escape(b.toString())}</p>" +
                "<table><tr><th>optimizer</th><th>ruleset</th><th>score (time)</th><th>score (steps)</th><th>targets reached</th></tr>$rows</table>" +
                "<table><tr><th>claim</th><th>verdict</th><th>numbers</th></tr>$claims</table></div>" +
                "<div>" + org.tuneless.plot.BenchmarkCharts.profile(b, null).toSvg() + "</div></div>"
            return MIME("text/html" to html, "text/plain" to b.leaderboard())
        }

        private fun escape(t: String) = t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    }
}
