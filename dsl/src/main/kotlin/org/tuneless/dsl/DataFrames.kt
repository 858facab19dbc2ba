package org.tuneless.dsl

import kotlin.reflect.KType
import kotlin.reflect.typeOf
import org.jetbrains.kotlinx.dataframe.AnyCol
import org.jetbrains.kotlinx.dataframe.AnyFrame
import org.jetbrains.kotlinx.dataframe.DataColumn
import org.jetbrains.kotlinx.dataframe.api.dataFrameOf
import org.tuneless.bench.BenchRow
import org.tuneless.bench.BenchmarkResult
import org.tuneless.metrics.Csv
import org.tuneless.metrics.Metrics
import org.tuneless.train.TrainingRun

// Runs as Kotlin DataFrames (docs/run-files.md): the same columns, names and types as the CSV files, with `null` where
// the CSV has an empty cell (not measured) and NaN/Infinity where it has NaN/Infinity (a measured non-finite value).

private fun column(name: String, values: List<Any?>, type: KType): AnyCol = DataColumn.createValueColumn(name, values, type)

private fun doubles(name: String, values: List<Double?>): AnyCol =
    column(name, values, if (values.any { it == null }) typeOf<Double?>() else typeOf<Double>())

private fun longs(name: String, values: List<Long?>): AnyCol =
    column(name, values, if (values.any { it == null }) typeOf<Long?>() else typeOf<Long>())

/**
 * The run's history as a DataFrame, one row per step record and the columns of metrics.csv: `step`, `epoch` (Long),
 * `loss`, `lr`, `grad_norm`, `update_norm`, `time_s` (Double), then one column per metric under its CSV column name
 * (`ecco.dt/dense0.W` → `ecco_dt__dense0_W`; [TrainingRun.columnNames]); counts and flags ([Metrics.INTEGER]) are
 * Long, the others Double; a metric not measured on a step is `null`.
 *
 * The rows are [TrainingRun.history]: every step unless the run was longer than the history limit (then every 2nd,
 * 4th, … step; metrics.csv on disk keeps every step).
 */
fun TrainingRun.toDataFrame(): AnyFrame {
    val history = history()
    val columns = columnNames().map { (metric, name) ->
        val series = series(metric)
        val measured = history.indices.map { measured(it, metric) }
        if (Metrics.isInteger(metric)) {
            longs(name, series.indices.map { i -> if (measured[i] && !series[i].isNaN()) series[i].toLong() else null })
        } else {
            doubles(name, series.indices.map { i -> if (measured[i]) series[i] else null })
        }
    }
    return dataFrameOf(columns)
}

/**
 * The run's evaluations as a DataFrame with the columns of evaluations.csv: `step` (updates done), `after_step` (the
 * metrics row whose update preceded the evaluation: join on `after_step` = `step` of [toDataFrame]), `split`, `loss`,
 * `accuracy` (`null` for a regression), `point`.
 */
fun TrainingRun.evaluationsToDataFrame(): AnyFrame {
    val ev = evaluations()
    return dataFrameOf(
        listOf(
            longs("step", ev.map { it.step() }),
            longs("after_step", ev.map { if (it.step() > 0) it.step() - 1 else null }),
            column("split", ev.map { it.split() }, typeOf<String>()),
            doubles("loss", ev.map { it.loss() }),
            doubles("accuracy", ev.map { if (it.accuracy().isNaN()) null else it.accuracy() }),
            column("point", ev.map { it.point() }, typeOf<String>()),
        ),
    )
}

/**
 * The sweep's trials as a DataFrame with the columns of [SweepResult.writeCsv]: `trial` (Int), one Double column per
 * swept parameter (under its column name, [Csv.columnName]), `seed` (Long), `status`, `final_loss`, `best_loss`
 * (`null` for a trial that could not run), `test_accuracy` (`null` when not measured), `seconds`, `message`; under
 * asha/hyperband also `bracket`, `rung` (Int?) and `steps` (Long?).
 */
fun SweepResult.toDataFrame(): AnyFrame {
    val ran = trials.map { it.status != "FAILED" }
    val parameterColumns = Csv.columnNames(parameterNames).map { (p, name) -> doubles(name, trials.map { it.parameters[p] }) }
    return dataFrameOf(
        listOf(column("trial", trials.map { it.index }, typeOf<Int>())) + parameterColumns + listOf(
            longs("seed", trials.map { it.parameters.seed }),
            column("status", trials.map { it.status }, typeOf<String>()),
            doubles("final_loss", trials.mapIndexed { i, t -> if (ran[i]) t.finalLoss else null }),
            doubles("best_loss", trials.mapIndexed { i, t -> if (ran[i]) t.bestLoss else null }),
            doubles("test_accuracy", trials.map { if (it.testAccuracy.isNaN()) null else it.testAccuracy }),
            doubles("seconds", trials.map { it.seconds }),
            column("message", trials.map { it.message }, typeOf<String>()),
        ) + (if (earlyStopping) listOf(
            column("bracket", trials.map { it.bracket }, typeOf<Int?>()),
            column("rung", trials.map { it.rung }, typeOf<Int?>()),
            longs("steps", trials.map { it.steps }),
        ) else emptyList()),
    )
}

/**
 * A benchmark's runs as a DataFrame with the columns of results.csv ([BenchRow.COLUMNS]): strings, `seed`/`steps`
 * (Long), `steps_to_target` (Long?), the measurements as Double (`null` where results.csv has an empty cell), `reached`
 * (Boolean); the traces stay "step:value;…" strings ([BenchRow.trace] parses one).
 */
fun BenchmarkResult.toDataFrame(): AnyFrame {
    val r = rows()
    fun strings(name: String, f: (BenchRow) -> String?) =
        r.map(f).let { v -> column(name, v, if (v.any { it == null }) typeOf<String?>() else typeOf<String>()) }
    val columns = listOf(
        strings("trial") { it.trial() }, strings("workload") { it.workload() }, strings("optimizer") { it.optimizer() },
        strings("ruleset") { it.ruleset().label() }, strings("knob") { it.knob() }, doubles("knob_value", r.map { it.knobValue() }),
        longs("seed", r.map { it.seed() }), strings("status") { it.status() }, longs("steps", r.map { it.steps() }),
        doubles("wall_s", r.map { it.wallSeconds() }), strings("metric") { it.metric() }, doubles("target", r.map { it.target() }),
        column("reached", r.map { it.reached() }, typeOf<Boolean>()), longs("steps_to_target", r.map { it.stepsToTarget() }),
        doubles("time_to_target_s", r.map { it.timeToTarget() }), doubles("best_metric", r.map { it.bestMetric() }),
        doubles("final_metric", r.map { it.finalMetric() }), doubles("final_train_loss", r.map { it.finalTrainLoss() }),
        strings("message") { it.message() }, strings("metric_trace") { it.metricTrace() }, strings("lr_trace") { it.lrTrace() },
        strings("time_trace") { it.timeTrace() }, strings("spec") { it.spec() }, strings("edge_trace") { it.edgeTrace() },
    )
    check(columns.map { it.name() } == BenchRow.COLUMNS) { "toDataFrame() is out of date with results.csv's columns ${BenchRow.COLUMNS}" }
    return dataFrameOf(columns)
}
