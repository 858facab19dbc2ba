package org.tuneless.jupyter

import io.kotest.assertions.withClue
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

    test("a TrainingRun renders as its chart with the summary table beside it, the SVG alone and a text summary") {
        val rendered = eval("run").renderedValue as MimeTypedResult
        rendered.keys shouldBe setOf("text/html", "image/svg+xml", "text/plain")
        val texts = svgTexts(rendered.getValue("image/svg+xml"))
        withClue(texts.toString()) { listOf("loss (train solid, test dashed)", "sharpness λmax (2/η dashed)", "η·λmax (edge of stability at 2)").all { t -> texts.any { it.startsWith(t) } } shouldBe true }
        rendered.getValue("text/html") shouldContain "tuneless-summary"
        rendered.getValue("text/plain") shouldContain "COMPLETED after 4 steps"
    }

    test("a list of runs renders as one overlaid chart, the repeated label told apart") {
        val rendered = eval("listOf(run, run)").renderedValue as MimeTypedResult
        rendered.keys shouldBe setOf("text/html", "image/svg+xml", "text/plain")
        val texts = svgTexts(rendered.getValue("image/svg+xml"))
        withClue(texts.toString()) { texts.containsAll(listOf("sgd(lr=0.1)", "sgd(lr=0.1) (2)")) shouldBe true }
    }
})
