package org.tuneless.plot

import org.jetbrains.letsPlot.geom.geomLine
import org.jetbrains.letsPlot.geom.geomPoint
import org.jetbrains.letsPlot.geom.geomRect
import org.jetbrains.letsPlot.ggsize
import org.jetbrains.letsPlot.label.ggtitle
import org.jetbrains.letsPlot.label.labs
import org.jetbrains.letsPlot.letsPlot
import org.jetbrains.letsPlot.scale.scaleColorManual
import org.jetbrains.letsPlot.scale.scaleShapeManual
import org.jetbrains.letsPlot.scale.scaleXLog10
import org.jetbrains.letsPlot.scale.scaleYLog10
import org.tuneless.dsl.SweepResult

/**
 * Sensitivity plot of a sweep: final loss against one swept hyperparameter (log x; log y when the losses span a
 * decade), the "within x% of best" band shaded, one colour per seed from the same fixed palette as run charts
 * ([RunColors]), so seed 0 has the colour of the first run everywhere.
 */
object SweepPlots {

    @JvmStatic
    @JvmOverloads
    fun sensitivity(result: SweepResult, parameter: String, withinPercent: Double = 10.0): RunFigure {
        val report = result.sensitivity(parameter, withinPercent)
        val ok = result.trials.filter { it.ok && it.finalLoss > 0 }
        val points = mapOf(
            parameter to ok.map { it.parameters[parameter] },
            "final loss" to ok.map { it.finalLoss },
            "seed" to ok.map { it.parameters.seed.toString() },
        )
        val means = result.meanLossBy(parameter).filterValues { it.isFinite() && it > 0 }
        val line = mapOf(parameter to means.keys.toList(), "final loss" to means.values.toList())
        val losses = ok.map { it.finalLoss }
        val band = mapOf("xmin" to listOf(report.low), "xmax" to listOf(report.high),
            "ymin" to listOf((losses.minOrNull() ?: 1.0) * 0.9), "ymax" to listOf((losses.maxOrNull() ?: 1.0) * 1.1))
        val seeds = result.trials.map { it.parameters.seed.toString() }.distinct()
        val colours = RunColors.assign(seeds)
        val title = "final loss vs $parameter — within ${withinPercent.toInt()}% of best for ${"%.1f".format(report.decades)} decades"
        val p = letsPlot() +
            geomRect(data = band, fill = "#2ca02c", alpha = 0.15) { xmin = "xmin"; xmax = "xmax"; ymin = "ymin"; ymax = "ymax" } +
            geomLine(data = line, color = "#555555") { x = parameter; y = "final loss" } +
            geomPoint(data = points, size = 3) { x = parameter; y = "final loss"; color = "seed" } +
            scaleColorManual(values = colours.values.toList(), limits = colours.keys.toList(), name = "seed") +
            scaleXLog10() + ggtitle(title) + labs(x = parameter, y = "final train loss") + ggsize(700, 400)
        return RunFigure(if (Limits.spansDecades(losses)) p + scaleYLog10() else p, listOf(title), colours = colours)
    }

    /** The grey of stopped configurations in [rungs]. */
    const val STOPPED_GREY = "#b0b0b0"

    /**
     * The rungs of an asha/hyperband sweep: the loss compared at each rung (last test loss, else final training loss)
     * against the steps trained (log x, log y when the losses span a decade), one line per configuration (per bracket
     * under Hyperband) through its rungs. Configurations that reached the full budget keep their run colour (the
     * palette of [RunColors], labelled by the swept values); stopped ones are grey. Diverged or failed trials (no
     * finite loss) are left out and counted in the title.
     */
    @JvmStatic
    fun rungs(result: SweepResult): RunFigure {
        require(result.rungs.isNotEmpty()) { "rungs(): this sweep has no rungs; use asha(…) or hyperband(…) in sweep { }, or SweepPlots.sensitivity for a grid" }
        val maxSteps = result.rungs.maxOf { it.steps }
        fun label(c: Int): String = result.trials.first { it.index == c }.parameters.toString()
        val finite = result.rungs.filter { it.loss.isFinite() && it.loss > 0 }
        val key = { r: org.tuneless.dsl.RungTrial -> r.configuration to r.bracket }
        val reached = finite.filter { it.steps == maxSteps }.map(key).toSet()
        val winners = reached.map { label(it.first) }.distinct()
        val colours = RunColors.assign(winners)
        val lines = finite.groupBy(key).toList()
        val xs = mutableListOf<Double>(); val ys = mutableListOf<Double>(); val groups = mutableListOf<String>(); val who = mutableListOf<String>()
        val state = mutableListOf<String>()
        for ((k, points) in lines) {
            val top = k in reached
            for (r in points.sortedBy { it.rung }) {
                xs += r.steps.toDouble(); ys += r.loss; groups += "${k.first}/${k.second}"
                who += if (top) label(k.first) else "stopped"
                state += when (r.status) { "PROMOTED" -> "promoted"; "STOPPED" -> "stopped"; else -> "full budget" }
            }
        }
        val palette = colours + ("stopped" to STOPPED_GREY)
        val data = mapOf("steps" to xs, "loss" to ys, "line" to groups, "configuration" to who, "rung" to state)
        val skipped = result.rungs.size - finite.size
        val kind = if (result.rungs.any { it.bracket != null }) "Hyperband" else "ASHA"
        val configurations = lines.map { it.first.first }.distinct().size
        val brackets = result.rungs.mapNotNull { it.bracket }.distinct().size
        val title = "$kind rungs: loss vs steps, $configurations configurations" + (if (brackets > 0) " in $brackets brackets" else "") +
            ", ${reached.map { it.first }.distinct().size} trained the full $maxSteps steps" +
            if (skipped > 0) " ($skipped trials without a finite loss not shown)" else ""
        val losses = finite.map { it.loss }
        val p = letsPlot(data) +
            geomLine(size = 0.8) { x = "steps"; y = "loss"; group = "line"; color = "configuration" } +
            geomPoint(size = 3) { x = "steps"; y = "loss"; color = "configuration"; shape = "rung" } +
            scaleColorManual(values = palette.values.toList(), limits = palette.keys.toList(), name = "configuration") +
            scaleShapeManual(values = listOf(16, 1, 4), limits = listOf("full budget", "promoted", "stopped"), name = "trial") +
            scaleXLog10(breaks = finite.map { it.steps.toDouble() }.distinct().sorted(), format = "d") + ggtitle(title) + labs(x = "steps trained (log)", y = "loss compared at the rung") + ggsize(800, 450)
        return RunFigure(if (Limits.spansDecades(losses)) p + scaleYLog10() else p, listOf(title), colours = palette)
    }
}
