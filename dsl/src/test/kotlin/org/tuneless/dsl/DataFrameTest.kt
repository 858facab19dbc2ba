package org.tuneless.dsl

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import java.nio.file.Files
import java.nio.file.Path
import kotlin.reflect.typeOf
import org.apache.commons.csv.CSVFormat
import org.jetbrains.kotlinx.dataframe.api.getColumn
import org.jetbrains.kotlinx.dataframe.api.rows
import org.tuneless.bench.BenchRow
import org.tuneless.bench.BenchmarkResult
import org.tuneless.metrics.Metrics
import org.tuneless.train.TrainingStatus

/** toDataFrame(): the columns, types and values of the CSV files (docs/run-files.md). */
class DataFrameTest : FunSpec({

    test("a run's DataFrame has metrics.csv's columns, typed, one row per step, null where not measured") {
        val dir = Files.createTempDirectory("df-run")
        val run = train {
            model = mlp(784, 8, 10)
            data = fashionMnist(subset = 64)
            optimizer = agd()
            steps = 6
            evaluate(every = 3)
            track { sharpness(every = 3); maxIterations = 10 }
        }
        run.writeTo(dir)
        val df = run.toDataFrame()
        df.rowsCount() shouldBe run.history().size
        df.rowsCount() shouldBe 6
        val header = Files.newBufferedReader(dir.resolve("metrics.csv")).use { CSVFormat.DEFAULT.builder().setHeader().build().parse(it).headerNames }
        df.columnNames() shouldBe header
        df.columnNames() shouldBe run.columnNames.values.toList()
        run.columnNames["agd.G"] shouldBe "agd_G"
        df.columnNames().take(7) shouldBe listOf("step", "epoch", "loss", "lr", "grad_norm", "update_norm", "time_s")
        df.getColumn("step").type() shouldBe typeOf<Long>()
        df.getColumn("loss").type() shouldBe typeOf<Double>()
        df.getColumn("agd_G").type() shouldBe typeOf<Double>()
        df.getColumn("sharpness").type() shouldBe typeOf<Double?>()
        df.getColumn(Metrics.SHARPNESS_HVPS).type() shouldBe typeOf<Long?>()
        df.getColumn("step").toList() shouldBe (0L..5L).toList()
        df.getColumn("loss").toList() shouldBe run.series("loss").toList()
        df.getColumn("agd_G").toList() shouldBe run.series("agd.G").toList()
        val sharp = df.getColumn("sharpness").toList()
        sharp.withIndex().filter { it.value != null }.map { it.index } shouldBe listOf(0, 3)
        sharp[3] shouldBe run.history()[3].metric("sharpness")

        val ev = run.evaluationsToDataFrame()
        ev.columnNames() shouldBe listOf("step", "after_step", "split", "loss", "accuracy", "point")
        ev.rowsCount() shouldBe run.evaluations().size
        val steps = df.getColumn("step").toList().toSet()
        ev.getColumn("after_step").toList().all { it in steps } shouldBe true
        ev.getColumn("after_step").toList().last() shouldBe 5L
    }

    test("a sweep's DataFrame: a row per trial, parameters as columns, null for what a failed trial did not measure") {
        val result = sweep {
            parameter("lr", values(0.1, 1e30))
            parameter("width", values(4.0))
            trial { p ->
                model = mlp(784, p["width"].toInt(), 10)
                data = fashionMnist(subset = 64)
                optimizer = gd(lr = p["lr"])
                steps = 4
            }
        }
        val df = result.toDataFrame()
        df.columnNames() shouldBe listOf("trial", "lr", "width", "seed", "status", "final_loss", "best_loss", "test_accuracy", "seconds", "message")
        df.columnNames() shouldBe result.columns
        df.rowsCount() shouldBe 2
        df.getColumn("lr").toList() shouldBe listOf(0.1, 1e30)
        df.getColumn("status").toList() shouldBe listOf(TrainingStatus.COMPLETED.name, TrainingStatus.DIVERGED.name)
        df.getColumn("final_loss").toList()[0] shouldBe result.trials[0].finalLoss
        df.getColumn("test_accuracy").toList() shouldBe result.trials.map { if (it.testAccuracy.isNaN()) null else it.testAccuracy }
        df.rows().map { it["trial"] } shouldBe listOf(0, 1)
        val csv = Files.readAllLines(result.writeCsv(Files.createTempDirectory("df-sweep").resolve("s.csv")))
        csv[0] shouldBe df.columnNames().joinToString(",")
        csv[1].startsWith("0,0.1,4,0,COMPLETED,") shouldBe true
    }

    test("a benchmark's DataFrame has results.csv's columns and rows, null for empty cells") {
        val result = BenchmarkResult.read(Path.of("../benchmarks/tuning-free/standard-run/results.csv"))
        val df = result.toDataFrame()
        df.columnNames() shouldBe BenchRow.COLUMNS
        df.rowsCount() shouldBe result.rows().size
        (df.rowsCount() > 0) shouldBe true
        df.getColumn("seed").type() shouldBe typeOf<Long>()
        df.getColumn("reached").toList() shouldBe result.rows().map { it.reached() }
        df.getColumn("steps_to_target").toList() shouldBe result.rows().map { it.stepsToTarget() }
        df.getColumn("final_metric").toList() shouldBe result.rows().map { it.finalMetric() }
    }
})
