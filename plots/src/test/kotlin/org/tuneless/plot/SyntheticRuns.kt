package org.tuneless.plot

import kotlin.math.exp
import kotlin.math.sin
import org.tuneless.train.EvaluationRecord
import org.tuneless.train.StepRecord
import org.tuneless.train.TrainingRun
import org.tuneless.train.TrainingStatus

/** Fixed runs made up from formulas (no training): what the golden chart tests render. */
object SyntheticRuns {

    private fun run(label: String, steps: Int, lr: (Int) -> Double, loss: (Int) -> Double, sharpness: ((Int) -> Double)?,
                    testEvery: Int = 0, gradNorm: Double = 2.0): TrainingRun {
        val history = (0 until steps).map { t ->
            val metrics = LinkedHashMap<String, Double>()
            if (sharpness != null && t % 10 == 0) {
                metrics["sharpness"] = sharpness(t)
                metrics["lr_x_sharpness"] = lr(t) * sharpness(t)
            }
            StepRecord(t.toLong(), 0, loss(t), lr(t), gradNorm * exp(-t / 60.0) + 0.05, lr(t) * 0.5, t * 0.01, metrics)
        }
        val evals = if (testEvery == 0) emptyList() else (testEvery..steps step testEvery).map { t ->
            EvaluationRecord(t.toLong(), "test", loss(t - 1) * 1.3 + 0.05, 0.5 + t / (4.0 * steps))
        }
        return TrainingRun.fromRecords(label, TrainingStatus.COMPLETED, history, evals, steps * 0.01)
    }

    /** Constant GD at lr 0.3: λmax rises to the edge 2/η ≈ 6.7 and oscillates there; test loss every 50 steps. */
    val gd: TrainingRun = run("gd", 200, { 0.3 }, { t -> 2.3 * exp(-t / 50.0) + 0.1 + 0.02 * sin(t.toDouble()) },
        { t -> 6.67 * (1 - exp(-t / 40.0)) + 0.3 * sin(t / 7.0) + 0.5 }, testEvery = 50)

    /** A greedy tuner: varying lr, η·λmax mostly below 2 with one spike to 40 at step 120. */
    val greedy: TrainingRun = run("greedy", 200, { t -> 0.1 + 0.05 * sin(t / 20.0) }, { t -> 2.3 * exp(-t / 70.0) + 0.15 },
        { t -> if (t == 120) 400.0 else 12.0 + 4 * sin(t / 30.0) }, gradNorm = 1.0)

    /** Adam at lr 1e-3, no curvature tracked, test loss every 50 steps. */
    val adam: TrainingRun = run("adam", 200, { 1e-3 }, { t -> 2.3 * exp(-t / 30.0) + 0.05 }, null, testEvery = 50, gradNorm = 4.0)
}
