package org.tuneless.jupyter

import java.util.Locale
import org.jetbrains.kotlinx.jupyter.api.HTML
import org.jetbrains.kotlinx.jupyter.api.KotlinKernelHost
import org.jetbrains.kotlinx.jupyter.api.Notebook
import org.jetbrains.kotlinx.jupyter.api.libraries.RawMessage
import org.jetbrains.kotlinx.jupyter.api.withId
import org.tuneless.train.StepRecord
import org.tuneless.train.TrainerPlugin
import org.tuneless.train.TrainingContext
import org.tuneless.train.TrainingRun

/**
 * Live progress in a notebook: one display in the training cell's output, updated in place every [intervalMillis]
 * with the step, loss, learning rate and a small loss chart (an inline SVG polyline).
 *
 * The updates are `update_display_data` messages whose parent is the execute request of the cell that shows the
 * display ([KernelMessages]): clients (JupyterLab, nbclient/nbconvert) route output by that parent and drop messages
 * without it — which is what the kernel's own `updateDisplay` (Kotlin kernel 0.11) sends.
 */
class LiveProgress @JvmOverloads constructor(
    private val host: KotlinKernelHost,
    private val notebook: Notebook? = null,
    private val intervalMillis: Long = TunelessNotebook.progressMillis,
) : TrainerPlugin {

    companion object {
        /** Makes every `train { }` of the current cell report to [host] (called from the cell by the integration). */
        @JvmStatic
        @JvmOverloads
        fun attach(host: KotlinKernelHost?, notebook: Notebook? = null) {
            org.tuneless.dsl.NotebookHooks.current = host?.let { h -> { LiveProgress(h, notebook) } }
        }
    }

    /** The execute request of the cell showing the display, captured when it is shown; null outside a live kernel. */
    private var parent: RawMessage? = null

    private val id = "tuneless-progress-" + System.nanoTime()
    private val losses = ArrayList<Double>()
    private var last = 0L
    private var shown = false

    override fun onStart(context: TrainingContext) {
        host.display(HTML(render("starting ${context.optimizer().name()} for ${context.totalSteps()} steps", context.totalSteps(), 0)).withId(id), id)
        parent = notebook?.let { KernelMessages.contextMessage(it) }
        shown = true
        last = System.currentTimeMillis()
    }

    override fun onStep(context: TrainingContext, record: StepRecord) {
        losses += record.loss()
        val now = System.currentTimeMillis()
        if (now - last >= intervalMillis) {
            last = now
            update(String.format(Locale.ROOT, "step %d/%d · loss %.4g · lr %.3g", record.step() + 1, context.totalSteps(), record.loss(), record.learningRate()),
                context.totalSteps(), record.step() + 1)
        }
    }

    override fun onFinish(context: TrainingContext, run: TrainingRun) {
        update("${run.label()}: ${run.status()} after ${run.history().size} steps in ${"%.1f".format(run.seconds())} s · final loss ${"%.4g".format(run.finalLoss())}",
            context.totalSteps(), run.history().size.toLong())
    }

    private fun update(text: String, total: Long, done: Long) {
        if (!shown) return
        val html = render(text, total, done)
        val p = parent
        if (p != null && notebook != null) KernelMessages.updateDisplay(notebook, p, id, html)
        else host.updateDisplay(HTML(html).withId(id), id)
    }

    private fun render(text: String, total: Long, done: Long): String {
        val pct = if (total > 0) 100.0 * done / total else 0.0
        val bar = "<div style='width:300px;border:1px solid #999;height:8px'><div style='width:${"%.0f".format(pct)}%;background:#1f77b4;height:8px'></div></div>"
        return "<div class='tuneless-progress' style='font-family:monospace'>$text$bar${sparkline()}</div>"
    }

    private fun sparkline(): String {
        val v = losses.filter { it.isFinite() && it > 0 }.map { Math.log10(it) }
        if (v.size < 2) return ""
        val lo = v.minOrNull()!!
        val hi = v.maxOrNull()!!
        val span = if (hi > lo) hi - lo else 1.0
        val pts = v.mapIndexed { i, y -> "%.1f,%.1f".format(Locale.ROOT, 300.0 * i / (v.size - 1), 58 - 56 * (y - lo) / span) }.joinToString(" ")
        return "<svg width='300' height='60'><polyline fill='none' stroke='#1f77b4' points='$pts'/></svg>"
    }
}
