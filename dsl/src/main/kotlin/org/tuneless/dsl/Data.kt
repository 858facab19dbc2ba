package org.tuneless.dsl

import java.nio.file.Path
import java.util.concurrent.ConcurrentHashMap
import org.tuneless.data.CharTextDataset
import org.tuneless.data.CsvRegression
import org.tuneless.data.FashionMnist
import org.tuneless.data.TeacherStudent
import org.tuneless.data.TrainTestSplit

/** Where the data comes from; loads are cached per spec, so sweeps share one copy. */
interface DataSpec {
    fun load(): TrainTestSplit
}

private val cache = ConcurrentHashMap<Any, TrainTestSplit>()

private data class CachedData(val key: Any, val loader: () -> TrainTestSplit) : DataSpec {
    override fun load(): TrainTestSplit = cache.computeIfAbsent(key) { loader() }
}

/** Which Fashion-MNIST files: the embedded 4,096/1,024 subset, the Debian package, or the Debian files when installed. */
enum class FashionMnistSource { Embedded, Debian, Auto }

/** Fashion-MNIST; `subset` keeps the first N training examples (the test set is kept whole). */
fun fashionMnist(subset: Int? = null, source: FashionMnistSource = FashionMnistSource.Embedded): DataSpec {
    require(subset == null || subset > 0) { "fashionMnist: subset = $subset must be a positive number of examples" }
    return CachedData(listOf("fashion-mnist", subset, source)) {
        val full = when (source) {
            FashionMnistSource.Embedded -> FashionMnist.embedded()
            FashionMnistSource.Debian -> FashionMnist.debian()
            FashionMnistSource.Auto -> if (FashionMnist.debianAvailable()) FashionMnist.debian() else FashionMnist.embedded()
        }
        if (subset == null) full else TrainTestSplit(full.train().subset(subset.toLong()), full.test())
    }
}

/** MNIST-format files from a directory. */
fun idx(directory: String, subset: Int? = null): DataSpec = CachedData(listOf("idx", directory, subset)) {
    val full = FashionMnist.load(Path.of(directory))
    if (subset == null) full else TrainTestSplit(full.train().subset(subset.toLong()), full.test())
}

/** Synthetic regression from a random teacher MLP (use with `loss = squaredLoss()`); a quarter as many test examples. */
fun teacherStudent(samples: Int = 1024, inputDim: Int = 16, hidden: Int = 32, outputDim: Int = 1, noise: Double = 0.0, seed: Long = 0): DataSpec =
    CachedData(listOf("teacher-student", samples, inputDim, hidden, outputDim, noise, seed)) {
        val test = samples / 4 + 1
        val all = TeacherStudent.generate(samples + test, inputDim, hidden, outputDim, noise, seed)
        TrainTestSplit(all.slice(0, samples.toLong()), all.slice(samples.toLong(), (samples + test).toLong()))
    }

/** Which text: the Debian `fortunes` package (apt-get install fortunes), the embedded 98 KB sample, or fortunes when installed. */
enum class TextSource { Fortunes, Embedded, Auto }

/**
 * Character-level language-model data from the fortunes corpus: blocks of [context] characters with next-character
 * targets, at most [maxBlocks] training blocks; the last [testFraction] of the text is held out. Train `nanoLM()` or
 * `lstm()` on it.
 */
fun fortunes(context: Int = 64, maxBlocks: Int = 4096, testFraction: Double = 0.1, source: TextSource = TextSource.Auto): DataSpec {
    require(context > 0) { "fortunes: context = $context must be a positive number of characters" }
    require(maxBlocks > 0) { "fortunes: maxBlocks = $maxBlocks must be positive" }
    return CachedData(listOf("fortunes", context, maxBlocks, testFraction, source)) {
        val corpus = when (source) {
            TextSource.Fortunes -> CharTextDataset.fortunes()
            TextSource.Embedded -> CharTextDataset.embeddedSample()
            TextSource.Auto -> CharTextDataset.fortunesOrEmbedded()
        }
        corpus.trainTest(context, maxBlocks, testFraction)
    }
}

/** Character-level data from any UTF-8 text file (see [fortunes]). */
fun textFile(path: String, context: Int = 64, maxBlocks: Int = 4096, testFraction: Double = 0.1): DataSpec {
    require(context > 0) { "textFile: context = $context must be a positive number of characters" }
    return CachedData(listOf("text", path, context, maxBlocks, testFraction)) {
        CharTextDataset.fromFile(Path.of(path)).trainTest(context, maxBlocks, testFraction)
    }
}

/**
 * Tabular regression from a CSV file with a header: features standardized with training statistics, target column
 * [target] (default the last), a seeded train/test split. Use with `loss = squaredLoss()` and an MLP.
 */
fun csvRegression(path: String, target: String? = null, testFraction: Double = 0.2, seed: Long = 0, standardizeTarget: Boolean = false): DataSpec =
    CachedData(listOf("csv", path, target, testFraction, seed, standardizeTarget)) {
        var csv = CsvRegression.from(Path.of(path)).testFraction(testFraction).seed(seed).standardizeTarget(standardizeTarget)
        if (target != null) csv = csv.target(target)
        csv.load().split()
    }
