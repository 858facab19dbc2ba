package org.tuneless.plot

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.nio.file.Files
import org.tuneless.bench.BenchRow
import org.tuneless.bench.BenchmarkResult
import org.tuneless.bench.Ruleset

class BenchmarkChartsTest : FunSpec({

    fun row(optimizer: String, reached: Boolean) = BenchRow("ts/$optimizer/seed=0", "ts", optimizer, Ruleset.SELF_TUNING, null, null, 0, "COMPLETED",
        20, 1.0, "test loss", 0.1, reached, if (reached) 10L else null, if (reached) 0.5 else null, 0.2, 0.2, null, "",
        "10:0.3;20:0.2", "10:0.01;20:0.01", "10:0.5;20:1", "{\"batch\":\"full\"}", "")

    test("a benchmark where no run reached its target still gets every chart, saying so") {
        val dir = Files.createTempDirectory("bench-charts")
        val result = BenchmarkResult("x", listOf(row("a", false), row("b", false)))
        val files = BenchmarkCharts.write(result, dir)
        files.map { it.fileName.toString() }.contains("time-to-target.svg") shouldBe true
        Files.readString(dir.resolve("time-to-target.svg")) shouldContain "no optimizer reached a target"
        Files.readString(dir.resolve("curves-ts.svg")) shouldContain "ts — test loss"
    }

    test("with a run that reached the target, time to target is a bar chart") {
        val dir = Files.createTempDirectory("bench-charts")
        BenchmarkCharts.write(BenchmarkResult("x", listOf(row("a", true), row("b", false))), dir)
        val svg = Files.readString(dir.resolve("time-to-target.svg"))
        svg.contains("no optimizer reached a target") shouldBe false
        svg shouldContain "seconds"
    }
})
