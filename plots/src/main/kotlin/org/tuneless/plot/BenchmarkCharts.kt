package org.tuneless.plot

import java.nio.file.Files
import java.nio.file.Path
import org.jetbrains.letsPlot.Stat
import org.jetbrains.letsPlot.facet.facetWrap
import org.jetbrains.letsPlot.geom.geomBar
import org.jetbrains.letsPlot.geom.geomHLine
import org.jetbrains.letsPlot.geom.geomLine
import org.jetbrains.letsPlot.geom.geomStep
import org.jetbrains.letsPlot.geom.geomText
import org.jetbrains.letsPlot.ggsize
import org.jetbrains.letsPlot.label.ggtitle
import org.jetbrains.letsPlot.label.labs
import org.jetbrains.letsPlot.letsPlot
import org.jetbrains.letsPlot.scale.scaleColorManual
import org.jetbrains.letsPlot.scale.scaleFillManual
import org.jetbrains.letsPlot.scale.scaleYLog10
import org.jetbrains.letsPlot.themes.themeVoid
import org.tuneless.bench.BenchRow
import org.tuneless.bench.BenchmarkResult
import org.tuneless.bench.Ruleset

/**
 * Charts of a benchmark ([BenchmarkResult]): the AlgoPerf performance profiles ρ(τ) (arXiv 2306.07179), time-to-target
 * bars and per-workload validation curves. One colour per optimizer from [RunColors], the same in every chart.
 */
object BenchmarkCharts {

    private fun colours(result: BenchmarkResult) = RunColors.assign(result.optimizers())

    /** ρ(τ) for τ in [1, 4] per optimizer: the fraction of workloads within a factor τ of the fastest (`ruleset` null = all together). */
    @JvmStatic
    @JvmOverloads
    fun profile(result: BenchmarkResult, ruleset: Ruleset? = null): RunFigure {
        val p = result.profile(ruleset)
        val taus = ArrayList<Double>(); val rhos = ArrayList<Double>(); val names = ArrayList<String>()
        for (o in p.submissions()) {
            for (pt in p.curve(o, 301)) { taus += pt[0]; rhos += pt[1]; names += "$o (${"%.2f".format(p.area(o))})" }
        }
        val labels = p.submissions().map { "$it (${"%.2f".format(p.area(it))})" }
        val c = colours(result)
        val title = "performance profile" + (ruleset?.let { " — ${it.label()}" } ?: " — all optimizers") +
            " (score in parentheses; ${p.workloads().size} workloads)"
        val fig = letsPlot(mapOf("tau" to taus, "rho" to rhos, "optimizer" to names)) +
            geomStep(size = 1.0) { x = "tau"; y = "rho"; color = "optimizer" } +
            scaleColorManual(values = p.submissions().map { c.getValue(it) }, limits = labels, name = "optimizer (score)") +
            ggtitle(title) + labs(x = "τ (time to target ÷ fastest)", y = "ρ(τ): fraction of workloads") + ggsize(760, 440)
        return RunFigure(fig, listOf(title), colours = c)
    }

    /** Median wall time to target per workload and optimizer (optimizers that did not reach it have no bar). */
    @JvmStatic
    fun timeToTarget(result: BenchmarkResult): RunFigure {
        val w = ArrayList<String>(); val o = ArrayList<String>(); val t = ArrayList<Double>()
        for (wl in result.workloads()) for (op in result.optimizers()) {
            result.cell(op, wl).ifPresent { cell -> if (cell.timeToTarget().isFinite()) { w += wl; o += op; t += cell.timeToTarget() } }
        }
        val c = colours(result)
        val title = "median wall time to target (no bar = not reached)"
        if (t.isEmpty()) {
            // nothing to draw as bars: say so instead of an empty (invalid) plot
            val none = letsPlot(mapOf("x" to listOf(0.0), "y" to listOf(0.0), "label" to listOf("no optimizer reached a target"))) +
                geomText(size = 8) { x = "x"; y = "y"; label = "label" } + ggtitle(title) + themeVoid() + ggsize(900, 200)
            return RunFigure(none, listOf(title), colours = c)
        }
        val fig = letsPlot(mapOf("workload" to w, "optimizer" to o, "seconds" to t)) +
            geomBar(stat = Stat.identity) { x = "optimizer"; y = "seconds"; fill = "optimizer" } +
            facetWrap(facets = "workload", scales = "free_y", ncol = 2) +
            scaleFillManual(values = c.values.toList(), limits = c.keys.toList(), name = "optimizer") +
            ggtitle(title) + labs(x = "", y = "seconds") + ggsize(900, 240 * ((result.workloads().size + 1) / 2) + 80)
        return RunFigure(fig, listOf(title), colours = c)
    }

    /**
     * The validation metric against steps on one workload: each self-tuning optimizer's first seed and each
     * external-tuning optimizer's best grid point (first seed); the target as a dashed line.
     */
    @JvmStatic
    fun curves(result: BenchmarkResult, workload: String): RunFigure {
        val metric = result.metric(workload)
        val s = ArrayList<Double>(); val v = ArrayList<Double>(); val o = ArrayList<String>()
        for (op in result.optimizers()) {
            val rows = result.rows(op, workload)
            if (rows.isEmpty()) continue
            val seed = rows.minOf { it.seed() }
            val first = rows.filter { it.seed() == seed }
            val row: BenchRow = if (first.size == 1) first[0] else bestOf(first, metric.higherIsBetter())
            for (pt in BenchRow.trace(row.metricTrace())) if (pt[1].isFinite()) { s += pt[0]; v += pt[1]; o += op }
        }
        val c = colours(result)
        val title = "$workload — $metric (best grid point for tuned optimizers)"
        var fig = letsPlot(mapOf("step" to s, "value" to v, "optimizer" to o)) +
            geomLine(size = 1.0) { x = "step"; y = "value"; color = "optimizer" } +
            scaleColorManual(values = c.values.toList(), limits = c.keys.toList(), name = "optimizer") +
            ggtitle(title) + labs(x = "step", y = metric.toString()) + ggsize(760, 440)
        result.target(workload)?.let { fig += geomHLine(yintercept = it, linetype = "dashed", color = "#333333") }
        if (!metric.higherIsBetter() && Limits.spansDecades(v)) fig += scaleYLog10()
        return RunFigure(fig, listOf(title), colours = c)
    }

    private fun bestOf(rows: List<BenchRow>, higher: Boolean): BenchRow {
        val reached = rows.filter { it.reached() }
        if (reached.isNotEmpty()) return reached.minWith(compareBy<BenchRow>({ it.stepsToTarget() }, { it.timeToTarget() }))
        val ok = rows.filter { it.finalMetric() != null && !it.diverged() }
        if (ok.isEmpty()) return rows[0]
        return if (higher) ok.maxBy { it.finalMetric()!! } else ok.minBy { it.finalMetric()!! }
    }

    /** Writes every chart to `dir` as SVG and PNG: profile*.svg/png, time-to-target, curves-WORKLOAD. */
    @JvmStatic
    fun write(result: BenchmarkResult, dir: Path): List<Path> {
        Files.createDirectories(dir)
        val figures = LinkedHashMap<String, RunFigure>()
        figures["profile"] = profile(result, null)
        for (r in Ruleset.values()) if (result.optimizers(r).isNotEmpty()) figures["profile-${r.label()}"] = profile(result, r)
        figures["time-to-target"] = timeToTarget(result)
        for (w in result.workloads()) figures["curves-$w"] = curves(result, w)
        val out = ArrayList<Path>()
        for ((name, f) in figures) {
            out.add(f.save(dir.resolve("$name.svg")))
            out.add(f.save(dir.resolve("$name.png")))
        }
        return out
    }
}
