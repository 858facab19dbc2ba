package org.tuneless.plot

import java.util.Locale

/**
 * One fixed colour per run: the n-th distinct label of a figure gets the n-th colour, in every panel, in the legend, in
 * the summary table beside a chart and in sweep plots. The palette is Tableau 10 without its grey (the grey is the
 * charts' own colour for axes and reference lines); beyond nine runs further hues follow at the golden angle.
 */
object RunColors {

    @JvmField
    val PALETTE: List<String> = listOf("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf")

    /** The colour of the [index]-th run (0-based), as `#rrggbb`. */
    @JvmStatic
    fun colour(index: Int): String {
        require(index >= 0) { "a run index is ≥ 0, got $index" }
        if (index < PALETTE.size) return PALETTE[index]
        val hue = ((index - PALETTE.size) * 137.508 + 15.0) % 360.0
        val rgb = java.awt.Color.HSBtoRGB((hue / 360.0).toFloat(), 0.65f, 0.75f)
        return String.format(Locale.ROOT, "#%06x", rgb and 0xffffff)
    }

    /** Each distinct label, in first-seen order, with its colour. */
    @JvmStatic
    fun assign(labels: List<String>): LinkedHashMap<String, String> {
        val out = LinkedHashMap<String, String>()
        for (l in labels) if (l !in out) out[l] = colour(out.size)
        return out
    }

    /**
     * The labels made distinct so that two runs never share a colour or a legend entry: a repeated label gets " (2)",
     * " (3)", … in order of appearance.
     */
    @JvmStatic
    fun distinctLabels(labels: List<String>): List<String> {
        val seen = HashMap<String, Int>()
        val taken = labels.toHashSet()
        return labels.map { l ->
            val n = (seen[l] ?: 0) + 1
            seen[l] = n
            if (n == 1) l else {
                var k = n
                while ("$l ($k)" in taken) k++
                "$l ($k)".also { taken += it }
            }
        }
    }
}
