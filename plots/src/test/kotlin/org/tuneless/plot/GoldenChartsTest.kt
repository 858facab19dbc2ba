package org.tuneless.plot

import com.fasterxml.jackson.databind.ObjectMapper
import com.fasterxml.jackson.databind.SerializationFeature
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import java.nio.file.Files
import java.nio.file.Path
import java.util.Locale
import org.tuneless.dsl.SweepResult
import org.tuneless.dsl.TrialResult

/**
 * Golden charts: fixed synthetic runs ([SyntheticRuns], no training) rendered to SVG; the structure a reader sees —
 * panel titles, y-axis labels and ticks (the y-range as drawn), which runs' colours appear in each panel, the legend —
 * must equal the committed expectation in `src/test/resources/golden/`. After an intended change, regenerate with
 * `-Dgolden.update=true` and look at the PNGs it then writes to target/golden.
 */
class GoldenChartsTest : FunSpec({

    val json = ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)

    fun structure(f: RunFigure): Map<String, Any> {
        val svg = f.toSvg()
        val panels = svgPanels(svg)
        val legend = svgTexts(svg)
        return linkedMapOf(
            "colours" to f.colours,
            "legend" to f.colours.keys.filter { it in legend },
            "panels" to panels.map { p ->
                linkedMapOf(
                    "title" to p.title, "yLabel" to p.yLabel, "yTicks" to p.yTicks,
                    "runs" to f.colours.filterValues { it in p.colours }.keys.toList(),
                )
            },
            "yLimits" to f.panels.associate { it.title to listOf(it.axis.low, it.axis.high).map { v -> String.format(Locale.ROOT, "%.4g", v) } + (if (it.axis.log) "log" else "linear") },
        )
    }

    fun golden(name: String, f: RunFigure) {
        val actual = json.writeValueAsString(structure(f))
        if (System.getProperty("golden.update") == "true") {
            f.save(Path.of("target/golden/$name.png"))
            Files.writeString(Path.of("src/test/resources/golden/$name.json"), actual + "\n")
        }
        val expected = javaClass.getResource("/golden/$name.json")?.readText()
            ?: error("no expectation golden/$name.json: run with -Dgolden.update=true and review it")
        actual.trim() shouldBe expected.trim()
    }

    test("three runs compared: one colour per run in every panel, 2/η only for tracked runs, edge panel centred on 2 with the spike clipped") {
        val f = RunPlots.compare(listOf(SyntheticRuns.gd, SyntheticRuns.greedy, SyntheticRuns.adam))
        golden("compare-gd-greedy-adam", f)
        // the facts the expectation encodes, stated so that a careless regeneration cannot hide a regression
        val panels = svgPanels(f.toSvg())
        val adam = f.colours.getValue("adam")
        panels.single { it.title.startsWith("sharpness") }.colours.contains(adam) shouldBe false
        panels.filter { it.title.startsWith("loss") || it.title.startsWith("gradient") }.all { p -> f.colours.values.all { it in p.colours } } shouldBe true
        f.panels.single { it.yLabel == "η·λmax" }.let { (it.axis.high - 2.0 <= 2.0 && it.clipped == 1) shouldBe true }
        f.panels.single { it.yLabel == "λmax" }.references shouldBe listOf("2/η (gd)", "2/η (greedy)")
    }

    test("one run: its own colour and only the panels it has data for") {
        val f = RunPlots.of(SyntheticRuns.adam)
        golden("single-adam", f)
        f.panelTitles shouldBe listOf("training loss", "learning rate", "gradient norm")
    }

    test("runs given in another order keep colours by position, and a repeated label gets its own colour") {
        val f = RunPlots.compare(listOf(SyntheticRuns.adam, SyntheticRuns.gd, SyntheticRuns.gd))
        f.colours.keys.toList() shouldBe listOf("adam", "gd", "gd (2)")
        f.colours.values.toSet().size shouldBe 3
    }

    test("a sweep's sensitivity plot colours seeds with the run palette") {
        val trials = listOf(0.01, 0.1, 1.0).flatMapIndexed { i, lr -> listOf(0L, 1L).map { seed ->
            TrialResult(2 * i + seed.toInt(), org.tuneless.dsl.TrialParameters(mapOf("lr" to lr), seed), "COMPLETED", 0.5 / (1 + i) + 0.01 * seed, 0.4, 0.8, 1.0, "")
        } }
        val f = SweepPlots.sensitivity(SweepResult(listOf("lr"), trials), "lr")
        golden("sweep-lr", f)
    }
})
