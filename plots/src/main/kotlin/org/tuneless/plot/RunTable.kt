package org.tuneless.plot

import java.util.Locale
import org.tuneless.train.TrainingRun

/**
 * The summary of runs as a small HTML table, shown beside their chart in notebooks: per run (with its chart colour)
 * the status, steps, final and best train loss, test accuracy, wall time and the learning rate the run used.
 */
object RunTable {

    /** The table; [colours] (a figure's [RunFigure.colours]) gives each run's swatch, in the order of [runs]. */
    @JvmStatic
    @JvmOverloads
    fun html(runs: List<TrainingRun>, colours: Map<String, String> = RunColors.assign(RunColors.distinctLabels(runs.map { it.label() }))): String {
        val labels = RunColors.distinctLabels(runs.map { it.label() })
        val th = "style='text-align:left;padding:2px 8px;border-bottom:1px solid #999'"
        val td = "style='padding:2px 8px;text-align:right'"
        val sb = StringBuilder("<table class='tuneless-summary' style='border-collapse:collapse;font-size:13px'><thead><tr>")
        for (h in listOf("run", "status", "steps", "final loss", "best loss", "test acc", "time", "learning rate")) sb.append("<th $th>").append(h).append("</th>")
        sb.append("</tr></thead><tbody>")
        runs.zip(labels).forEach { (r, label) ->
            val colour = colours[label] ?: "#474747"
            val test = r.lastEvaluation("test").map { if (it.accuracy().isFinite()) pct(it.accuracy()) else "—" }.orElse("—")
            sb.append("<tr><td style='padding:2px 8px;text-align:left;white-space:nowrap'><span style='display:inline-block;width:18px;height:3px;background:")
                .append(colour).append(";vertical-align:middle;margin-right:6px'></span>").append(escape(label)).append("</td>")
            val status = escape(r.status().name) + if (r.statusMessage().isNullOrEmpty()) "" else "<br><small>" + escape(r.statusMessage()) + "</small>"
            sb.append("<td style='padding:2px 8px;text-align:left'>").append(status).append("</td>")
            for (cell in listOf(r.history().size.toString(), num(r.finalLoss()), num(r.bestLoss()), test, String.format(Locale.ROOT, "%.1f s", r.seconds()), learningRate(r))) {
                sb.append("<td $td>").append(escape(cell)).append("</td>")
            }
            sb.append("</tr>")
        }
        return sb.append("</tbody></table>").toString()
    }

    /** The learning rate a run used: the value when constant, else its median and range over the steps. */
    @JvmStatic
    fun learningRate(r: TrainingRun): String {
        val lr = r.history().map { it.learningRate() }.filter { it.isFinite() }.sorted()
        if (lr.isEmpty()) return "—"
        val lo = lr.first()
        val hi = lr.last()
        return if (hi - lo <= 1e-12 * maxOf(1.0, kotlin.math.abs(hi))) num(hi)
        else "median ${num(Limits.quantile(lr, 0.5))} (${num(lo)}–${num(hi)})"
    }

    /** Four significant digits without trailing zeros: 0.1, 0.001, 2.303, 1.5e-05. */
    private fun num(v: Double): String {
        if (v.isNaN()) return "—"
        if (v.isInfinite() || v == 0.0) return v.toString()
        val a = kotlin.math.abs(v)
        if (a < 1e-3 || a >= 1e5) return String.format(Locale.ROOT, "%.3e", v).replace(Regex("\\.?0+e"), "e")
        return java.math.BigDecimal(String.format(Locale.ROOT, "%.4g", v)).stripTrailingZeros().toPlainString()
    }

    private fun pct(v: Double) = String.format(Locale.ROOT, "%.1f%%", 100 * v)

    private fun escape(t: String) = t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
}
