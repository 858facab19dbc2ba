package org.tuneless.dsl

import org.nd4j.linalg.api.buffer.DataType
import org.nd4j.linalg.api.ndarray.INDArray
import org.tuneless.data.Dataset
import org.tuneless.nn.Network
import org.tuneless.tensor.ParameterLayout
import org.tuneless.tensor.ParameterTensor
import org.tuneless.train.EvaluationRecord
import org.tuneless.train.StepRecord
import org.tuneless.train.TrainingRun
import org.tuneless.train.TrainingStatus

// Kotlin idioms over the Java core: the core's accessors are Java-style methods (`run.finalLoss()`); Kotlin users get
// read-only properties (`run.finalLoss`). Java records (StepRecord, EvaluationRecord, SharpnessEstimate, Lanczos.Result,
// HutchinsonTrace.Estimate, SpectralDensity, …) already read as properties in Kotlin; these cover the classes.

/** A short name for the run, by default the optimizer's label. */
val TrainingRun.label: String get() = label()

/** COMPLETED, DIVERGED or STOPPED. */
val TrainingRun.status: TrainingStatus get() = status()

/** Why the run ended (empty when it completed). */
val TrainingRun.statusMessage: String get() = statusMessage()

/** True when the loss, gradient or update became non-finite. */
val TrainingRun.diverged: Boolean get() = diverged()

/** The step at which the run diverged or was stopped, or -1 if it completed. */
val TrainingRun.stoppedAtStep: Long get() = stoppedAtStep()

/** One record per optimizer step: loss, learning rate, gradient and update norms, time, metrics. */
val TrainingRun.history: List<StepRecord> get() = history()

/** Evaluations on the named splits ("train", "test"), in order. */
val TrainingRun.evaluations: List<EvaluationRecord> get() = evaluations()

/** Loss at the final (or last finite) parameters. */
val TrainingRun.finalLoss: Double get() = finalLoss()

/** The smallest finite training loss recorded. */
val TrainingRun.bestLoss: Double get() = bestLoss()

/** Test accuracy of the last evaluation on "test", or null if the run was not evaluated. */
val TrainingRun.testAccuracy: Double? get() = lastEvaluation("test").map { it.accuracy() }.orElse(null)

/** Test loss of the last evaluation on "test", or null if the run was not evaluated. */
val TrainingRun.testLoss: Double? get() = lastEvaluation("test").map { it.loss() }.orElse(null)

/** A copy of the final live parameters (where the last gradient was taken; Schedule-Free: y). */
val TrainingRun.finalParameters: INDArray get() = finalParameters()

/** A copy of the parameters the model is evaluated at (Schedule-Free's x, an iterate average; else the live ones). */
val TrainingRun.evaluationParameters: INDArray get() = evaluationParameters()

/** The trained network, or null when the run optimized a synthetic objective. */
val TrainingRun.network: Network? get() = network().orElse(null)

/** Wall-clock seconds of the whole run. */
val TrainingRun.seconds: Double get() = seconds()

/** Everything that configured the run, as written to run.json. */
val TrainingRun.config: Map<String, Any> get() = config()

/** Names of the extra per-step metrics (sharpness, optimizer diagnostics, …). */
val TrainingRun.metricNames: List<String> get() = metricNames()

/** All history columns: step, epoch, loss, lr, grad_norm, update_norm, time_s, then the metrics. */
val TrainingRun.columns: List<String> get() = columns()

/** The metrics.csv / DataFrame column name of each history column: `ecco.dt/dense0.W` → `ecco_dt__dense0_W` (docs/run-files.md). */
val TrainingRun.columnNames: Map<String, String> get() = columnNames()

/** Learning rate applied at each step. */
val TrainingRun.learningRates: DoubleArray get() = series("lr")

/** Training loss at each step. */
val TrainingRun.losses: DoubleArray get() = series("loss")

/** The layers of the network, in order. */
val Network.layers get() = layers()

/** Number of trainable parameters. */
val Network.parameterCount: Long get() = parameterCount()

/** The flat parameter vector (live: changes as the network trains). */
val Network.parameters: INDArray get() = parameters()

/** Names, shapes and offsets of the parameter tensors. */
val Network.layout: ParameterLayout get() = layout()

val Network.dataType: DataType get() = dataType()
val Network.inputShape: LongArray get() = inputShape()
val Network.outputShape: LongArray get() = outputShape()

/** The parameter tensors, in layout order. */
val ParameterLayout.tensors: List<ParameterTensor> get() = tensors()

/** Total number of parameters. */
val ParameterLayout.size: Long get() = size()

/** Number of examples. */
val Dataset.size: Long get() = size()
val Dataset.inputShape: LongArray get() = inputShape()
val Dataset.numClasses: Int get() = numClasses()
val Dataset.dataType: DataType get() = dataType()
