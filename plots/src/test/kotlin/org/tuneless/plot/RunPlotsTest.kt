package org.tuneless.plot

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import java.nio.file.Files
import org.tuneless.dsl.FullBatch
import org.tuneless.dsl.adam
import org.tuneless.dsl.fashionMnist
import org.tuneless.dsl.gd
import org.tuneless.dsl.mlp
import org.tuneless.dsl.train


class RunPlotsTest : FunSpec({

    val tracked = train {
        model = mlp(784, 16, 10); data = fashionMnist(subset = 256); optimizer = gd(lr = 0.2); steps = 30; batchSize = FullBatch
        label = "gd"
        track { sharpness(every = 5); maxIterations = 50 }
        evaluate(every = 10)
    }
    val plain = train {
        model = mlp(784, 16, 10); data = fashionMnist(subset = 256); optimizer = adam(lr = 1e-3); steps = 30; batchSize = FullBatch
        label = "adam"
    }

    test("a tracked run gets the loss, lr, sharpness, edge and gradient panels; an untracked one only what it has") {
        val f = RunPlots.of(tracked)
        f.panelTitles shouldContainExactly listOf("training loss", "learning rate", "sharpness λmax", "η·λmax", "gradient norm")
        val texts = svgTexts(f.toSvg())
        for (title in listOf("loss (train solid, test dashed)", "learning rate η", "sharpness λmax (2/η dashed)", "η·λmax (edge of stability at 2)", "gradient norm")) {
            texts.any { it.startsWith(title) } shouldBe true
        }
        texts.containsAll(listOf("η·λmax", "λmax", "gd", "train", "test")) shouldBe true
        texts.any { it.endsWith("(test)") } shouldBe false
        RunPlots.of(plain).panelTitles shouldContainExactly listOf("training loss", "learning rate", "gradient norm")
        svgTexts(RunPlots.of(plain).toSvg()).any { "sharpness" in it } shouldBe false
    }

    test("several runs are overlaid with one legend entry per run, once per figure") {
        val svg = RunPlots.compare(listOf(tracked, plain)).toSvg()
        svgTexts(svg).containsAll(listOf("gd", "adam")) shouldBe true
        Regex(">\\s*adam\\s*<").findAll(svg).count() shouldBe 1
    }

    test("a sweep's sensitivity plot shows the loss against the parameter and the tolerance band") {
        val result = org.tuneless.dsl.sweep {
            parameter("lr", org.tuneless.dsl.logRange(0.01, 1.0, points = 3))
            threads = 2
            trial { p -> model = mlp(784, 8, 10); data = fashionMnist(subset = 128); steps = 10; optimizer = gd(lr = p["lr"]) }
        }
        val f = SweepPlots.sensitivity(result, "lr", withinPercent = 50.0)
        val texts = svgTexts(f.toSvg())
        texts.any { it.startsWith("final loss vs lr") } shouldBe true
        texts.contains("final train loss") shouldBe true
        (f.toPng().size > 1000) shouldBe true
    }

    test("the rung chart of an early-stopping sweep: one line per configuration and bracket, stopped ones grey") {
        fun p(lr: Double) = org.tuneless.dsl.TrialParameters(mapOf("lr" to lr), 0)
        val trials = listOf(
            org.tuneless.dsl.TrialResult(0, p(0.1), "COMPLETED", 0.5, 0.5, Double.NaN, 1.0, "", rung = 2, bracket = 2, steps = 9),
            org.tuneless.dsl.TrialResult(1, p(0.01), "STOPPED", 0.9, 0.9, Double.NaN, 1.0, "", rung = 0, bracket = 2, steps = 1),
            org.tuneless.dsl.TrialResult(2, p(10.0), "DIVERGED", Double.NaN, Double.NaN, Double.NaN, 1.0, "", rung = 0, bracket = 2, steps = 1),
        )
        val rungs = listOf(
            org.tuneless.dsl.RungTrial(0, 2, 0, 1, 0.8, "PROMOTED"), org.tuneless.dsl.RungTrial(1, 2, 0, 1, 0.9, "STOPPED"),
            org.tuneless.dsl.RungTrial(2, 2, 0, 1, Double.NaN, "DIVERGED"), org.tuneless.dsl.RungTrial(0, 2, 1, 3, 0.6, "PROMOTED"),
            org.tuneless.dsl.RungTrial(0, 2, 2, 9, 0.5, "COMPLETED"),
        )
        val f = SweepPlots.rungs(org.tuneless.dsl.SweepResult(listOf("lr"), trials, rungs))
        val texts = svgTexts(f.toSvg())
        texts.any { it.startsWith("Hyperband rungs: loss vs steps, 2 configurations in 1 brackets, 1 trained the full 9 steps (1 trials without a finite loss not shown)") } shouldBe true
        texts.containsAll(listOf("lr=0.1, seed=0", "stopped", "promoted", "full budget", "steps trained (log)")) shouldBe true
        f.colours["stopped"] shouldBe SweepPlots.STOPPED_GREY
        f.colours.keys shouldBe setOf("lr=0.1, seed=0", "stopped")
        (f.toPng().size > 1000) shouldBe true
        val e = io.kotest.assertions.throwables.shouldThrow<IllegalArgumentException> { SweepPlots.rungs(org.tuneless.dsl.SweepResult(listOf("lr"), trials)) }
        e.message shouldContain "use asha(…) or hyperband(…)"
    }

    test("save writes SVG and PNG by extension") {
        val dir = Files.createTempDirectory("plots")
        val svg = RunPlots.of(tracked).save(dir.resolve("run.svg"))
        Files.readString(svg) shouldContain "<svg"
        val png = Files.readAllBytes(RunPlots.of(tracked).save(dir.resolve("run.png")))
        png.copyOfRange(0, 8).toList() shouldBe listOf(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A).map { it.toByte() }
    }
})
