package org.tuneless.plot

import java.io.ByteArrayOutputStream
import java.io.StringReader
import java.nio.file.Files
import java.nio.file.Path
import org.apache.batik.transcoder.TranscoderInput
import org.apache.batik.transcoder.TranscoderOutput
import org.apache.batik.transcoder.image.PNGTranscoder
import org.jetbrains.letsPlot.Figure
import org.jetbrains.letsPlot.awt.plot.PlotSvgExport
import org.jetbrains.letsPlot.coord.coordCartesian
import org.jetbrains.letsPlot.geom.geomHLine
import org.jetbrains.letsPlot.geom.geomLine
import org.jetbrains.letsPlot.geom.geomPoint
import org.jetbrains.letsPlot.geom.geomSegment
import org.jetbrains.letsPlot.geom.geomText
import org.jetbrains.letsPlot.gggrid
import org.jetbrains.letsPlot.ggsize
import org.jetbrains.letsPlot.intern.Plot
import org.jetbrains.letsPlot.intern.toSpec
import org.jetbrains.letsPlot.label.ggtitle
import org.jetbrains.letsPlot.label.labs
import org.jetbrains.letsPlot.letsPlot
import org.jetbrains.letsPlot.scale.scaleColorManual
import org.jetbrains.letsPlot.scale.scaleYLog10
import org.jetbrains.letsPlot.themes.theme
import org.jetbrains.letsPlot.themes.themeVoid
import org.tuneless.train.TrainingRun

/**
 * What one panel of a figure shows: its title and y-axis label as drawn, the y-axis, the runs drawn in it, its
 * reference lines and how many points lie beyond the axis (clipped, and marked with triangles at the edge).
 */
data class PanelInfo(
    val title: String, val yLabel: String, val axis: YAxis, val runs: List<String>, val references: List<String>, val clipped: Int,
)

/** A figure that can be written as SVG (offline, vector) or PNG (rendered by Batik), or shown in a notebook. */
class RunFigure @JvmOverloads constructor(
    val figure: Figure,
    val panelTitles: List<String>,
    /** What each panel shows (empty for figures that are not run panels). */
    val panels: List<PanelInfo> = emptyList(),
    /** The colour of each run, the same in every panel, the legend and the summary table. */
    val colours: Map<String, String> = emptyMap(),
) {

    /** The Lets-Plot specification (a JSON-like map). */
    fun spec(): MutableMap<String, Any> = figure.toSpec()

    /** The figure as a standalone SVG document. */
    fun toSvg(): String = PlotSvgExport.buildSvgImageFromRawSpecs(spec())

    /** The figure as PNG bytes (SVG rendered by Batik). */
    fun toPng(): ByteArray {
        val out = ByteArrayOutputStream()
        PNGTranscoder().transcode(TranscoderInput(StringReader(toSvg())), TranscoderOutput(out))
        return out.toByteArray()
    }

    /** Writes `.svg` or `.png` by the file's extension; returns the path. */
    fun save(path: Path): Path {
        path.toAbsolutePath().parent?.let { Files.createDirectories(it) }
        when (path.fileName.toString().substringAfterLast('.').lowercase()) {
            "svg" -> Files.writeString(path, toSvg())
            "png" -> Files.write(path, toPng())
            else -> throw IllegalArgumentException("cannot save a plot as '${path.fileName}': use a .svg or .png file name")
        }
        return path
    }

    fun save(path: String): Path = save(Path.of(path))
}

/**
 * Lets-Plot charts of training runs — the panels researchers look at to see which constraint is active: training loss
 * with test loss (dashed), learning rate applied, sharpness λmax with each tracked run's 2/η line (dashed), η·λmax
 * against the edge of stability at 2 (and the preconditioned sharpness for adaptive optimizers), gradient norm.
 *
 * Only panels with data are drawn, and a reference line only for the runs that have the series it refers to. Each run
 * keeps one colour ([RunColors]) in every panel, and the figure has one legend, above the panels: one entry per run,
 * plus train/test by line type. The y-axes are robust ([Limits]): logarithmic where the values span a decade or more,
 * the η·λmax panels centred on 2, and a spike beyond Tukey's far fences is clipped and marked by a triangle at the edge
 * (the panel title counts them) instead of flattening the rest.
 */
object RunPlots {

    private const val WIDTH = 900
    private const val ROW = 250
    private const val HEADER = 44
    private const val INK = "#474747"

    @JvmStatic
    fun of(run: TrainingRun): RunFigure = compare(listOf(run))

    @JvmStatic
    fun compare(runs: List<TrainingRun>): RunFigure {
        require(runs.isNotEmpty()) { "nothing to plot: give at least one run" }
        val labels = RunColors.distinctLabels(runs.map { it.label() })
        val colours = RunColors.assign(labels)
        val named = runs.zip(labels)
        val built = mutableListOf<Triple<String, Plot, PanelInfo>>()

        val test = named.map { (r, l) -> Series(l, r.evaluations("test").filter { it.loss().isFinite() }.map { it.step().toDouble() to it.loss() }, sparse = true) }
            .filter { it.points.isNotEmpty() }
        val hasTest = test.isNotEmpty()
        panel(
            if (hasTest) "loss (train solid, test dashed)" else "train loss", if (hasTest) "loss" else "train loss",
            named.map { (r, l) -> column(r, l, "loss") }, colours, logCandidate = true, dashed = test, dashedIsData = true,
        )?.let { built += Triple("training loss", it.first, it.second) }

        panel("learning rate η", "learning rate", named.map { (r, l) -> column(r, l, "lr") }, colours, logCandidate = true)
            ?.let { built += Triple("learning rate", it.first, it.second) }

        val sharp = named.map { (r, l) -> column(r, l, "sharpness") }
        val twoOverEta = named.zip(sharp).filter { it.second.points.isNotEmpty() }.map { (rl, _) ->
            val (r, l) = rl
            Series(l, r.history().filter { it.learningRate() > 0 && it.learningRate().isFinite() }.map { it.step().toDouble() to 2.0 / it.learningRate() }, sparse = false)
        }
        panel("sharpness λmax (2/η dashed)", "λmax", sharp, colours, dashed = twoOverEta, references = twoOverEta.map { "2/η (${it.run})" })
            ?.let { built += Triple("sharpness λmax", it.first, it.second) }

        panel("η·λmax (edge of stability at 2)", "η·λmax", named.map { (r, l) -> column(r, l, "lr_x_sharpness") }, colours, edge = true)
            ?.let { built += Triple("η·λmax", it.first, it.second) }
        panel("η·λmax(P⁻¹H), preconditioned (edge at 2)", "η·λmax(P⁻¹H)", named.map { (r, l) -> column(r, l, "lr_x_preconditioned_sharpness") }, colours, edge = true)
            ?.let { built += Triple("preconditioned η·λmax", it.first, it.second) }

        panel("gradient norm", "gradient norm", named.map { (r, l) -> column(r, l, "grad_norm") }, colours, logCandidate = true)
            ?.let { built += Triple("gradient norm", it.first, it.second) }

        val rows = (built.size + 1) / 2
        val lastStep = runs.maxOf { r -> maxOf(r.history().lastOrNull()?.step() ?: 0L, r.evaluations().maxOfOrNull { it.step() } ?: 0L) }.toDouble()
        // one x-range for all panels: sparse series (sharpness every k steps) line up with the dense ones
        val grid = gggrid(built.map { it.second + coordCartesian(xlim = 0.0 to maxOf(lastStep, 1.0), ylim = it.third.axis.low to it.third.axis.high) }, ncol = 2, align = true) + theme(plotBackground = org.jetbrains.letsPlot.themes.elementBlank())
        val figure = gggrid(listOf(legend(colours, hasTest), grid), ncol = 1, heights = listOf(HEADER, ROW * rows)) + ggsize(WIDTH, HEADER + ROW * rows)
        return RunFigure(figure, built.map { it.first }, built.map { it.third }, colours)
    }

    /** A run's points of one series: (step, value), finite values only; sparse series are also drawn as points. */
    private class Series(val run: String, val points: List<Pair<Double, Double>>, val sparse: Boolean)

    private fun column(r: TrainingRun, label: String, column: String): Series {
        if (column !in r.columns()) return Series(label, emptyList(), false)
        val values = r.series(column)
        val pts = r.history().indices.filter { values[it].isFinite() }.map { r.history()[it].step().toDouble() to values[it] }
        return Series(label, pts, sparse = pts.size < r.history().size / 2)
    }

    private fun frame(series: List<Series>, value: (Series, Double) -> Double = { _, v -> v }): Map<String, List<Any>> = mapOf(
        "step" to series.flatMap { s -> s.points.map { it.first } },
        "value" to series.flatMap { s -> s.points.map { value(s, it.second) } },
        "run" to series.flatMap { s -> s.points.map { s.run } },
    )

    /**
     * One panel: [data] as solid lines (points too where sparse), [dashed] as dashed lines — data (test loss: it counts
     * for the axis and gets circles) or reference lines (2/η: they widen the axis only when close to the data, at most 3×
     * the axis' span beyond it, and are otherwise clipped).
     */
    private fun panel(
        title: String, yLabel: String, series: List<Series>, colours: Map<String, String>,
        logCandidate: Boolean = false, edge: Boolean = false,
        dashed: List<Series> = emptyList(), dashedIsData: Boolean = false, references: List<String> = emptyList(),
    ): Pair<Plot, PanelInfo>? {
        val data = series.filter { it.points.isNotEmpty() }
        if (data.isEmpty()) return null
        val values = data.flatMap { s -> s.points.map { it.second } }
        val dashedValues = dashed.flatMap { s -> s.points.map { it.second } }
        val log = logCandidate && Limits.spansDecades(values + (if (dashedIsData) dashedValues else emptyList()))
        val axis = when {
            edge -> Limits.edge(values)
            dashedIsData -> Limits.robust(values + dashedValues, log)
            else -> Limits.widen(Limits.robust(values, log), dashedValues)
        }
        val drawn = if (log) data.map { s -> Series(s.run, s.points.filter { it.second > 0 }, s.sparse) } else data
        val outside = drawn.map { s -> Series(s.run, s.points.filter { it.second !in axis }, false) }
        val clipped = outside.sumOf { it.points.size }

        var p = letsPlot() + geomLine(data = frame(drawn)) { x = "step"; y = "value"; color = "run" }
        drawn.filter { it.sparse }.takeIf { it.isNotEmpty() }?.let { p += geomPoint(data = frame(it), size = 2.0) { x = "step"; y = "value"; color = "run" } }
        if (dashed.isNotEmpty()) {
            p += geomLine(data = frame(dashed), linetype = "dashed", alpha = if (dashedIsData) 1.0 else 0.7) { x = "step"; y = "value"; color = "run" }
            if (dashedIsData) p += geomPoint(data = frame(dashed), shape = 1, size = 2.5) { x = "step"; y = "value"; color = "run" }
        }
        if (edge) p += geomHLine(yintercept = 2.0, linetype = "dashed", color = INK)
        if (clipped > 0) {
            val up = outside.map { s -> Series(s.run, s.points.filter { it.second > axis.high }, false) }
            val down = outside.map { s -> Series(s.run, s.points.filter { it.second < axis.low }, false) }
            if (up.any { it.points.isNotEmpty() }) p += geomPoint(data = frame(up) { _, _ -> axis.inside(0.97) }, shape = 17, size = 3.5) { x = "step"; y = "value"; color = "run" }
            if (down.any { it.points.isNotEmpty() }) p += geomPoint(data = frame(down) { _, _ -> axis.inside(0.03) }, shape = 25, size = 3.5) { x = "step"; y = "value"; color = "run"; fill = "run" }
        }
        p += scaleColorManual(values = colours.values.toList(), limits = colours.keys.toList())
        if (clipped > 0) p += org.jetbrains.letsPlot.scale.scaleFillManual(values = colours.values.toList(), limits = colours.keys.toList())
        if (log) p += scaleYLog10()
        val shownTitle = if (clipped > 0) "$title · $clipped clipped ▲" else title
        p += ggtitle(shownTitle) + labs(x = "step", y = yLabel) + theme().legendPositionNone()
        val refs = references + (if (edge) listOf("edge 2") else emptyList())
        return p to PanelInfo(shownTitle, yLabel, axis, drawn.map { it.run }, refs, clipped)
    }

    /**
     * The figure's one legend, drawn as a strip above the panels (Lets-Plot 4.1 stacks several legends and cannot
     * collect them across a grid): a line in each run's colour with its label, then train/test by line type when the
     * figure has test loss. Positions assume ~7.5 px per character at the legend's font size.
     */
    internal fun legend(colours: Map<String, String>, splits: Boolean): Plot {
        val keys = mutableListOf<Triple<String, String, String>>()   // label, colour, linetype
        colours.forEach { (label, colour) -> keys += Triple(label, colour, "solid") }
        if (splits) { keys += Triple("train", INK, "solid"); keys += Triple("test", INK, "dashed") }
        val widths = keys.mapIndexed { i, k -> 38.0 + 7.5 * k.first.length + if (splits && i == colours.size - 1) 40.0 else 18.0 }
        var x = maxOf(10.0, (WIDTH - widths.sum()) / 2)
        var p = letsPlot()
        keys.forEachIndexed { i, (label, colour, type) ->
            p += geomSegment(x = x, y = 0.5, xend = x + 32, yend = 0.5, color = colour, linetype = type, size = 1.2)
            p += geomText(x = x + 38, y = 0.5, label = label, hjust = 0, size = 6, color = INK)
            x += widths[i]
        }
        return p + coordCartesian(xlim = 0.0 to WIDTH.toDouble(), ylim = 0.0 to 1.0) + themeVoid()
    }
}
