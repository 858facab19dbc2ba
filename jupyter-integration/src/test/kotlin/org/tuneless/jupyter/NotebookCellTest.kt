package org.tuneless.jupyter

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlin.script.experimental.jvm.util.classpathFromClassloader
import org.jetbrains.kotlinx.jupyter.EvalRequestData
import org.jetbrains.kotlinx.jupyter.api.MimeTypedResult
import org.jetbrains.kotlinx.jupyter.libraries.EmptyResolutionInfoProvider
import org.jetbrains.kotlinx.jupyter.repl.creating.createRepl
import org.tuneless.plot.svgTexts

/** Notebook cells evaluated in-process by the kernel's own REPL (harness of jupyter.md), with the integration loaded. */
class NotebookCellTest : FunSpec({

    val repl = createRepl(EmptyResolutionInfoProvider, classpathFromClassloader(javaClass.classLoader).orEmpty(), isEmbedded = true)
    repl.eval { repl.librariesScanner.addLibrariesFromClassLoader(repl.currentClassLoader, this, repl.notebook) }

    fun eval(code: String) = repl.evalEx(EvalRequestData(code))

    test("the integration imports the DSL: cells use train { } without imports") {
        eval("val run = train { model = mlp(784, 8, 10); data = fashionMnist(subset = 64); optimizer = gd(lr = 0.1); steps = 4; track { sharpness(every = 2); maxIterations = 20 } }")
        eval("run.history().size").rawValue shouldBe 4
    }

    test("a TrainingRun renders as SVG with its panels and a text summary") {
        val rendered = eval("run").renderedValue as MimeTypedResult
        rendered.keys shouldBe setOf("image/svg+xml", "text/plain")
        svgTexts(rendered.getValue("image/svg+xml")).containsAll(listOf("training loss", "sharpness λmax", "η·λmax (edge of stability at 2)")) shouldBe true
        rendered.getValue("text/plain") shouldContain "COMPLETED after 4 steps"
    }

    test("a list of runs renders as one overlaid chart") {
        val rendered = eval("listOf(run, run)").renderedValue as MimeTypedResult
        rendered.keys shouldBe setOf("image/svg+xml", "text/plain")
    }
})
