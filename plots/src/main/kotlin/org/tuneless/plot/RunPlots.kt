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
import org.jetbrains.letsPlot.geom.geomHLine
import org.jetbrains.letsPlot.geom.geomLine
import org.jetbrains.letsPlot.geom.geomPoint
import org.jetbrains.letsPlot.gggrid
import org.jetbrains.letsPlot.ggsize
import org.jetbrains.letsPlot.intern.Plot
import org.jetbrains.letsPlot.intern.toSpec
import org.jetbrains.letsPlot.label.ggtitle
import org.jetbrains.letsPlot.label.labs
import org.jetbrains.letsPlot.letsPlot
import org.jetbrains.letsPlot.scale.scaleYLog10
import org.tuneless.train.TrainingRun

/** A figure that can be written as SVG (offline, vector) or PNG (rendered by Batik), or shown in a notebook. */
class RunFigure(val figure: Figure, val panelTitles: List<String>) {

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
 * (log y) with test loss, learning rate applied (log y), sharpness λmax with the 2/η line, η·λmax against the edge 2
 * (and the preconditioned sharpness for adaptive optimizers), gradient norm. Only panels with data are drawn; several
 * runs are overlaid with one colour per run.
 */
object RunPlots {

    @JvmStatic
    fun of(run: TrainingRun): RunFigure = compare(listOf(run))

    @JvmStatic
    fun compare(runs: List<TrainingRun>): RunFigure {
        require(runs.isNotEmpty()) { "nothing to plot: give at least one run" }
        val panels = mutableListOf<Pair<String, Plot>>()
        panel(runs, "loss", log = true, title = "training loss")?.let { p ->
            val test = evaluationFrame(runs, "test")
            panels += "training loss" to (if (test["step"]!!.isEmpty()) p else p + geomPoint(data = test, shape = 1) { x = "step"; y = "value"; color = "run" })
        }
        panel(runs, "lr", log = true, title = "learning rate")?.let { panels += "learning rate" to it }
        panel(runs, "sharpness", log = false, title = "sharpness λmax")?.let { p ->
            val edge = frame(runs) { r, i -> 2.0 / r.history()[i].learningRate() }
            panels += "sharpness λmax" to (p + geomLine(data = edge, linetype = "dashed", alpha = 0.6) { x = "step"; y = "value"; color = "run" })
        }
        panel(runs, "lr_x_sharpness", log = false, title = "η·λmax (edge of stability at 2)")?.let { p ->
            panels += "η·λmax" to (p + geomHLine(yintercept = 2.0, linetype = "dashed", color = "black"))
        }
        panel(runs, "lr_x_preconditioned_sharpness", log = false, title = "η·λmax(P⁻¹H) (preconditioned)")?.let { p ->
            panels += "preconditioned η·λmax" to (p + geomHLine(yintercept = 2.0, linetype = "dashed", color = "black"))
        }
        panel(runs, "grad_norm", log = true, title = "gradient norm")?.let { panels += "gradient norm" to it }
        val grid = gggrid(panels.map { it.second }, ncol = 2) + ggsize(900, 260 * ((panels.size + 1) / 2))
        return RunFigure(grid, panels.map { it.first })
    }

    private fun frame(runs: List<TrainingRun>, value: (TrainingRun, Int) -> Double): Map<String, List<Any>> {
        val step = mutableListOf<Any>()
        val v = mutableListOf<Any>()
        val label = mutableListOf<Any>()
        for (r in runs) {
            for (i in r.history().indices) {
                val y = value(r, i)
                if (y.isFinite()) {
                    step += r.history()[i].step().toDouble()
                    v += y
                    label += r.label()
                }
            }
        }
        return mapOf("step" to step, "value" to v, "run" to label)
    }

    private fun evaluationFrame(runs: List<TrainingRun>, split: String): Map<String, List<Any>> {
        val step = mutableListOf<Any>()
        val v = mutableListOf<Any>()
        val label = mutableListOf<Any>()
        for (r in runs) for (e in r.evaluations(split)) {
            if (e.loss().isFinite() && e.loss() > 0) {
                step += e.step().toDouble(); v += e.loss(); label += r.label() + " (test)"
            }
        }
        return mapOf("step" to step, "value" to v, "run" to label)
    }

    private fun panel(runs: List<TrainingRun>, column: String, log: Boolean, title: String): Plot? {
        if (runs.none { column in it.columns() }) return null
        val data = frame(runs) { r, i -> r.series(column)[i] }.let { d ->
            if (!log) d else {
                val keep = d["value"]!!.indices.filter { (d["value"]!![it] as Double) > 0 }
                d.mapValues { (_, col) -> keep.map { col[it] } }
            }
        }
        if (data["step"]!!.isEmpty()) return null
        val sparse = runs.all { r -> r.series(column).count { !it.isNaN() } < r.history().size / 2 }
        var p = letsPlot(data) { x = "step"; y = "value"; color = "run" } + geomLine() + ggtitle(title) + labs(x = "step", y = column)
        if (sparse) p += geomPoint(size = 2)
        if (log) p += scaleYLog10()
        return p
    }
}
