package org.tuneless.plot

import kotlin.math.abs
import kotlin.math.floor
import kotlin.math.log10
import kotlin.math.max
import kotlin.math.min
import kotlin.math.pow

/** The y-axis of a panel: its limits (in data units) and whether it is logarithmic. */
data class YAxis(val low: Double, val high: Double, val log: Boolean) {
    operator fun contains(v: Double) = v >= low && v <= high

    /** The value at fraction [f] of the axis' height (log axes: of its decades). */
    fun inside(f: Double): Double = if (log) 10.0.pow(log10(low) + f * (log10(high) - log10(low))) else low + f * (high - low)
}

/**
 * Robust y-limits: one spike must not flatten the rest of a panel. Values outside the limits are clipped by the panel
 * and marked where they leave it.
 */
object Limits {

    /** Values positive and spanning at least a decade: drawn on a log scale. */
    @JvmStatic
    fun spansDecades(values: Collection<Double>): Boolean {
        val v = values.filter { it.isFinite() }
        return v.isNotEmpty() && v.all { it > 0 } && v.maxOrNull()!! / v.minOrNull()!! >= 10.0
    }

    /**
     * Limits covering the values except outliers: beyond Tukey's far fences (3 interquartile ranges past the quartiles,
     * computed on log10 of the values for a log axis), padded by 5% of the span; with fewer than 20 values every value
     * counts (too few to call one an outlier). A linear axis over non-negative values does not go below 0.
     */
    @JvmStatic
    fun robust(values: Collection<Double>, log: Boolean): YAxis {
        val v = values.filter { it.isFinite() && (!log || it > 0) }.map { if (log) log10(it) else it }.sorted()
        if (v.isEmpty()) return if (log) YAxis(0.1, 10.0, true) else YAxis(0.0, 1.0, false)
        val q1 = quantile(v, 0.25)
        val q3 = quantile(v, 0.75)
        val iqr = q3 - q1
        val few = v.size < 20
        var lo = if (few) v.first() else max(v.first(), q1 - 3 * iqr)
        var hi = if (few) v.last() else min(v.last(), q3 + 3 * iqr)
        val span = hi - lo
        val pad = if (span > 0) 0.05 * span else if (log) 0.25 else max(abs(hi) * 0.1, 1e-12)
        val nonNegative = !log && v.first() >= 0
        lo -= pad
        hi += pad
        if (nonNegative && lo < 0) lo = 0.0
        return if (log) YAxis(10.0.pow(lo), 10.0.pow(hi), true) else YAxis(lo, hi, false)
    }

    /**
     * Limits centred on the edge of stability at 2 (η·λmax panels): 2 ± d with d the 95th percentile of |v − 2|, at
     * least 1 (so [1, 3] at the narrowest), padded by 10%; when that would start below 0.5 and the values are
     * non-negative, the axis starts at 0 instead (the approach to the edge from below stays visible).
     */
    @JvmStatic
    fun edge(values: Collection<Double>): YAxis {
        val v = values.filter { it.isFinite() }
        val dev = v.map { abs(it - 2.0) }.sorted()
        val d = 1.1 * max(1.0, if (dev.isEmpty()) 1.0 else quantile(dev, 0.95))
        val lo = if (v.all { it >= 0 } && 2.0 - d < 0.5) 0.0 else 2.0 - d
        return YAxis(lo, 2.0 + d, false)
    }

    /**
     * [axis] widened to show reference values (e.g. 2/η) that lie within [factor]× of its span beyond it; farther
     * references are left to be clipped, so a 2/η of 2000 does not flatten a sharpness of 40.
     */
    @JvmStatic
    fun widen(axis: YAxis, references: Collection<Double>, factor: Double = 3.0): YAxis {
        val r = references.filter { it.isFinite() && (!axis.log || it > 0) }
        if (r.isEmpty()) return axis
        val t = { x: Double -> if (axis.log) log10(x) else x }
        val back = { x: Double -> if (axis.log) 10.0.pow(x) else x }
        val lo = t(axis.low)
        val hi = t(axis.high)
        val span = max(hi - lo, 1e-12)
        val near = r.map(t).filter { it >= lo - factor * span && it <= hi + factor * span }
        if (near.isEmpty()) return axis
        val newLo = min(lo, near.minOrNull()!!)
        val newHi = max(hi, near.maxOrNull()!!)
        val pad = 0.05 * (newHi - newLo)
        return YAxis(back(if (newLo < lo) newLo - pad else lo), back(if (newHi > hi) newHi + pad else hi), axis.log)
    }

    /** The q-quantile of sorted values, linearly interpolated. */
    @JvmStatic
    fun quantile(sorted: List<Double>, q: Double): Double {
        require(sorted.isNotEmpty()) { "quantile of no values" }
        val pos = q * (sorted.size - 1)
        val i = floor(pos).toInt()
        val j = min(i + 1, sorted.size - 1)
        return sorted[i] + (pos - i) * (sorted[j] - sorted[i])
    }
}
