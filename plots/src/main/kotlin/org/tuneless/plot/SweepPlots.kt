package org.tuneless.plot

import org.jetbrains.letsPlot.geom.geomLine
import org.jetbrains.letsPlot.geom.geomPoint
import org.jetbrains.letsPlot.geom.geomRect
import org.jetbrains.letsPlot.ggsize
import org.jetbrains.letsPlot.label.ggtitle
import org.jetbrains.letsPlot.label.labs
import org.jetbrains.letsPlot.letsPlot
import org.jetbrains.letsPlot.scale.scaleColorManual
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
}
