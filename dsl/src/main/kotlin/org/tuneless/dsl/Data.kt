package org.tuneless.dsl

import org.tuneless.catalog.Component
import org.tuneless.data.TrainTestSplit
import org.tuneless.run.Catalogs

/** Where the data comes from: an entry of the data catalog. Loads are cached per spec, so sweeps share one copy. */
class DataSpec internal constructor(val spec: Component) {
    fun load(): TrainTestSplit = Catalogs.load(spec).split()

    override fun toString(): String = Catalogs.DATA.toDsl(spec)
    override fun equals(other: Any?) = other is DataSpec && other.spec == spec
    override fun hashCode() = spec.hashCode()
}

private fun data(name: String, vararg args: Pair<String, Any?>) =
    DataSpec(Catalogs.DATA.spec(name, args.filter { it.second != null }.associate { it.first to it.second }))

/** Which Fashion-MNIST files: the embedded 4,096/1,024 subset (default), the Debian package, or the Debian files when installed. */
enum class FashionMnistSource { Embedded, Debian, Auto }

/** Fashion-MNIST; `subset` keeps the first N training examples (the test set is kept whole). */
fun fashionMnist(subset: Int? = null, source: FashionMnistSource? = null): DataSpec =
    data("fashion-mnist", "subset" to subset, "source" to source?.name?.lowercase())

/** MNIST-format files from a directory. */
fun idx(directory: String, subset: Int? = null): DataSpec = data("idx", "directory" to directory, "subset" to subset)

/** Synthetic regression from a random teacher MLP (use with `loss = squaredLoss()`); a quarter as many test examples. */
fun teacherStudent(samples: Int? = null, inputDim: Int? = null, hidden: Int? = null, outputDim: Int? = null, noise: Double? = null, seed: Int? = null): DataSpec =
    data("teacher-student", "samples" to samples, "inputDim" to inputDim, "hidden" to hidden, "outputDim" to outputDim, "noise" to noise, "seed" to seed)

/** Which text: the Debian `fortunes` package (apt-get install fortunes), the embedded 98 KB sample, or fortunes when installed (default). */
enum class TextSource { Fortunes, Embedded, Auto }

/**
 * Character-level language-model data (catalog `text`): blocks of [context] characters (64) with next-character
 * targets, at most [maxBlocks] (4096) training blocks; the last [testFraction] (0.1) of the text is held out. Train
 * `nanoLM()` or `lstm()` on it.
 */
fun fortunes(context: Int? = null, maxBlocks: Int? = null, testFraction: Double? = null, source: TextSource? = null): DataSpec =
    data("text", "context" to context, "maxBlocks" to maxBlocks, "testFraction" to testFraction, "source" to source?.name?.lowercase())

/** Character-level data from any UTF-8 text file (see [fortunes]). */
fun textFile(path: String, context: Int? = null, maxBlocks: Int? = null, testFraction: Double? = null): DataSpec =
    data("textfile", "path" to path, "context" to context, "maxBlocks" to maxBlocks, "testFraction" to testFraction)

/**
 * Tabular regression from a CSV file with a header: features standardized with training statistics, target column
 * [target] (default the last), a seeded train/test split. Use with `loss = squaredLoss()` and an MLP.
 */
fun csvRegression(path: String, target: String? = null, testFraction: Double? = null, seed: Int? = null, standardizeTarget: Boolean? = null): DataSpec =
    data("csv", "path" to path, "target" to target, "testFraction" to testFraction, "seed" to seed, "standardizeTarget" to standardizeTarget)
