package org.tuneless.jupyter

import io.kotest.assertions.withClue
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import org.tuneless.dsl.FullBatch
import org.tuneless.dsl.fashionMnist
import org.tuneless.dsl.gd
import org.tuneless.dsl.logRange
import org.tuneless.dsl.mlp
import org.tuneless.dsl.sweep
import org.tuneless.dsl.train
import org.tuneless.plot.RunPlots
import org.tuneless.plot.svgTexts

/** The MIME bundles the notebook renderers produce (the real kernel is exercised by notebooks/run-notebooks). */
class RenderersTest : FunSpec({

    val run = train {
        model = mlp(784, 8, 10); data = fashionMnist(subset = 128); optimizer = gd(lr = 0.1); steps = 10; batchSize = FullBatch
        track { sharpness(every = 5); maxIterations = 20 }
    }

    test("a run renders as its chart with the summary table beside it (HTML), the SVG alone and a text summary") {
        TunelessNotebook.plots = "svg"
        val bundle = TunelessIntegration.runs(listOf(run))
        bundle.keys shouldBe setOf("text/html", "image/svg+xml", "text/plain")
        val texts = svgTexts(bundle.getValue("image/svg+xml"))
        withClue(texts.toString()) { texts.containsAll(listOf("loss (train solid, test dashed)", "learning rate", "η·λmax", "λmax")) shouldBe true }
        val html = bundle.getValue("text/html")
        html shouldContain "<svg"
        html shouldContain "<table class='tuneless-summary'"
        for (cell in listOf(">COMPLETED<", ">10<", ">0.1<", "test acc", "learning rate")) withClue(html.substringAfter("<table")) { html shouldContain cell }
        bundle.getValue("text/plain") shouldContain "COMPLETED after 10 steps"
    }

    test("plots = html gives interactive Lets-Plot HTML") {
        TunelessNotebook.plots = "html"
        try {
            val bundle = TunelessIntegration.runs(listOf(run))
            bundle.keys shouldBe setOf("text/html")
            bundle.getValue("text/html") shouldContain "lets-plot"
            bundle.getValue("text/html") shouldContain "tuneless-summary"
        } finally {
            TunelessNotebook.plots = "svg"
        }
    }

    test("a sweep renders as a table with its sensitivity line and plot") {
        val result = sweep {
            parameter("lr", logRange(0.01, 1.0, points = 3)); threads = 2
            trial { p -> model = mlp(784, 4, 10); data = fashionMnist(subset = 64); steps = 5; optimizer = gd(lr = p["lr"]) }
        }
        val html = TunelessIntegration.sweep(result).getValue("text/html")
        html shouldContain "final loss"
        html shouldContain "lr: best"
        html shouldContain "<svg"
    }

    test("spectra render as charts") {
        val q = org.tuneless.objective.Quadratic.rotated(doubleArrayOf(5.0, 3.0, 1.0, 0.5, -1.0), 1)
        val rho = org.tuneless.curvature.SpectralDensity.estimate(q, 2, 5, 100, 0.1, 0)
        svgTexts(org.tuneless.plot.SpectrumPlots.density(rho).toSvg()).any { it.startsWith("Hessian spectral density") } shouldBe true
        val lz = org.tuneless.curvature.Lanczos.run(q, 3, 5, 0, false)
        svgTexts(org.tuneless.plot.SpectrumPlots.eigenvalues(lz, 3).toSvg()).any { it.startsWith("top 3 Hessian eigenvalues") } shouldBe true
    }

    test("a list of runs renders as the comparison; other lists are left alone") {
        RunListRenderer.accepts(listOf(run, run)) shouldBe true
        RunListRenderer.accepts(listOf(run, "x")) shouldBe false
        RunListRenderer.accepts(emptyList<Any>()) shouldBe false
        val out = RunListRenderer.execution.execute(
            org.jetbrains.kotlinx.jupyter.api.libraries.ExecutionHost::class.java.cast(java.lang.reflect.Proxy.newProxyInstance(
                javaClass.classLoader, arrayOf(org.jetbrains.kotlinx.jupyter.api.libraries.ExecutionHost::class.java)) { _, _, _ -> null }),
            org.jetbrains.kotlinx.jupyter.api.FieldValue(listOf(run, run), "runs"))
        @Suppress("UNCHECKED_CAST")
        (out.value as Map<String, String>).keys shouldBe setOf("text/html", "image/svg+xml", "text/plain")
    }

    test("the integration is discoverable by the kernel") {
        val json = javaClass.getResource("/META-INF/kotlin-jupyter-libraries/libraries.json")!!.readText()
        json shouldContain "org.tuneless.jupyter.TunelessIntegration"
    }
})
