package org.tuneless.plot

import org.jetbrains.letsPlot.geom.geomArea
import org.jetbrains.letsPlot.geom.geomBar
import org.jetbrains.letsPlot.ggsize
import org.jetbrains.letsPlot.label.ggtitle
import org.jetbrains.letsPlot.label.labs
import org.jetbrains.letsPlot.letsPlot
import org.tuneless.curvature.Lanczos
import org.tuneless.curvature.SpectralDensity

/** Charts of Hessian spectra: the SLQ density and the top eigenvalues from Lanczos. */
object SpectrumPlots {

    @JvmStatic
    fun density(rho: SpectralDensity): RunFigure {
        val title = "Hessian spectral density (stochastic Lanczos quadrature, ${rho.nodes().size} probes)"
        val p = letsPlot(mapOf("eigenvalue" to rho.grid().toList(), "density" to rho.density().toList())) { x = "eigenvalue"; y = "density" } +
            geomArea(alpha = 0.4, color = "#1f77b4", fill = "#1f77b4") + ggtitle(title) + ggsize(700, 300)
        return RunFigure(p, listOf(title))
    }

    @JvmStatic
    fun eigenvalues(result: Lanczos.Result, k: Int = 10): RunFigure {
        val top = result.top(k)
        val title = "top ${top.size} Hessian eigenvalues (Lanczos, ${result.hvps()} HVPs)"
        val p = letsPlot(mapOf("rank" to (1..top.size).map { it.toString() }, "eigenvalue" to top.toList())) { x = "rank"; y = "eigenvalue" } +
            geomBar(stat = org.jetbrains.letsPlot.Stat.identity, fill = "#1f77b4") + ggtitle(title) + labs(x = "rank", y = "eigenvalue") + ggsize(600, 300)
        return RunFigure(p, listOf(title))
    }
}
